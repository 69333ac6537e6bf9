import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { defineChecks } from '../../workbook/check.ts';
import { median } from '../../workbook/stats.ts';
import { sampleDocuments, watchEventLoop } from '../support/event-loop.ts';
import { drainWithManyProducers, fakeIo, fakeRecordSource, steppedWork } from '../support/in-flight.ts';
import { countInWorkers } from '../support/workers.ts';

type MapLimitModule = typeof import('../../solutions/03-async-optimization/map-limit.ts');
type BatchModule = typeof import('../../solutions/03-async-optimization/batch.ts');
type DeadlineModule = typeof import('../../solutions/03-async-optimization/deadline.ts');
type QueueModule = typeof import('../../solutions/03-async-optimization/bounded-queue.ts');
type EventLoopModule = typeof import('../../solutions/03-async-optimization/event-loop.ts');
type CounterModule = typeof import('../../solutions/03-async-optimization/shared-counter.ts');

const { check, subject } = defineChecks(3);
const { mapLimit } = await subject<MapLimitModule>('map-limit.ts');
const { fetchAll } = await subject<BatchModule>('batch.ts');
const { withDeadline } = await subject<DeadlineModule>('deadline.ts');
const { BoundedQueue } = await subject<QueueModule>('bounded-queue.ts');
const { signDocuments, signature, SIGNATURE_SIZE } = await subject<EventLoopModule>('event-loop.ts');
const { SharedCounter } = await subject<CounterModule>('shared-counter.ts');

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Enough documents for about 100 ms of signing: a blocking starter makes the median request wait ~50 ms. */
const CHECK_DOCUMENTS = 12_000;

// ── bounded concurrency ────────────────────────────────────────────────────

check('limits-in-flight', async () => {
  for (const limit of [10, 3]) {
    const upstream = fakeIo({ delayMs: (i) => 1 + (i % 4) });
    await mapLimit(range(60), limit, upstream.call);
    expect(upstream.stats.calls, 'every item should be called exactly once').toBe(60);
    expect(upstream.stats.peak, `peak calls in flight with limit ${limit}`).toBeLessThanOrEqual(limit);
    // A limiter that runs one at a time is within its limit, and far too slow.
    expect(upstream.stats.peak, `with limit ${limit} and 60 items, ${limit} calls should overlap`).toBe(limit);
  }
});

check('keeps-input-order', async () => {
  // Later items finish first: completion order is the reverse of input order.
  const upstream = fakeIo({ delayMs: (i) => 2 + (29 - i) });
  const results = await mapLimit(range(30), 10, upstream.call);
  expect(
    results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected')),
    'result i must belong to item i',
  ).toEqual(range(30).map((i) => `item ${i}`));
});

check('settles-each-item', async () => {
  // Equal delays, so calls finish in the order they started: this check is
  // about failures, not ordering.
  const upstream = fakeIo({ delayMs: () => 2, failsOn: (i) => i % 5 === 2 });
  const results = await mapLimit(range(20), 4, upstream.call);
  expect(results).toHaveLength(20);
  for (const i of range(20)) {
    const result = results[i]!;
    if (i % 5 === 2) {
      expect(result.status, `item ${i} fails upstream`).toBe('rejected');
      expect(String((result as PromiseRejectedResult).reason)).toContain(`item ${i}`);
    } else {
      expect(result, `item ${i} succeeds`).toEqual({ status: 'fulfilled', value: `item ${i}` });
    }
  }
});

// ── batching ───────────────────────────────────────────────────────────────

check('batches-of-100', async () => {
  const upstream = fakeRecordSource(1);
  const ids = range(250).map((i) => `id-${i}`);
  const records = await fetchAll(ids, upstream.source);
  expect(records.map((r) => r.id), 'one record per id, in the order asked').toEqual(ids);
  expect(upstream.stats.oneCalls, 'fetchOne round trips (one per id is the problem)').toBe(0);
  expect(upstream.stats.batchSizes.length, 'fetchBatch round trips for 250 ids').toBe(3);
  expect(Math.max(...upstream.stats.batchSizes), 'ids per fetchBatch call').toBeLessThanOrEqual(100);
  expect(upstream.stats.peak, 'round trips in flight at once').toBeLessThanOrEqual(10);
});

// ── deadlines that cancel ──────────────────────────────────────────────────

check('cancels-at-deadline', async () => {
  const work = steppedWork({ steps: 40, stepMs: 5 }); // 200 ms if left alone
  const started = performance.now();
  const error = await withDeadline(work.run, { timeoutMs: 40 }).then(
    () => undefined,
    (reason: unknown) => reason as Error,
  );
  work.markAnswered();
  const answeredAfter = performance.now() - started;
  expect(error, 'a 200 ms job with a 40 ms deadline should reject').toBeDefined();
  expect(error!.name, 'the rejection for a deadline').toBe('TimeoutError');
  // A timer may fire a millisecond early (and late by tens of ms on a busy
  // machine, which is why the upper bound is counted in steps, not ms).
  expect(answeredAfter, 'ms until the caller got its answer, with a 40 ms deadline').toBeGreaterThanOrEqual(35);
  expect(work.stats.stepsDone, 'steps done when the caller got its answer (all 40 means it waited for the work)').toBeLessThan(40);
  await sleep(120);
  expect(work.stats.stepsAfterAnswer, 'steps the work ran after the deadline had answered the caller').toBe(0);
});

check('caller-can-cancel', async () => {
  const work = steppedWork({ steps: 40, stepMs: 5 });
  const caller = new AbortController();
  setTimeout(() => caller.abort(new Error('client went away')), 20);
  const outcome = await withDeadline(work.run, { timeoutMs: 5_000, signal: caller.signal }).then(
    () => 'resolved',
    () => 'rejected',
  );
  work.markAnswered();
  expect(outcome, 'aborting the caller’s signal should reject').toBe('rejected');
  expect(work.stats.stepsDone, 'steps done when the caller got its answer (all 40 means it waited for the work)').toBeLessThan(40);
  await sleep(80);
  expect(work.stats.stepsAfterAnswer, 'steps the work ran after the caller gave up').toBe(0);
});

check('returns-in-time-results', async () => {
  const fast = steppedWork({ steps: 2, stepMs: 2 });
  await expect(withDeadline(fast.run, { timeoutMs: 1_000 })).resolves.toBe('finished');
  expect(fast.stats.sawSignal, 'the work should be given an AbortSignal').toBe(true);
  const failure = new Error('upstream said no');
  await expect(withDeadline(async () => Promise.reject(failure), { timeoutMs: 1_000 })).rejects.toBe(failure);
});

// ── bounded queue with backpressure ────────────────────────────────────────

check('queue-stays-bounded', async () => {
  const peak = await drainWithManyProducers(new BoundedQueue<number>(10));
  expect(peak, 'largest size seen with capacity 10').toBeLessThanOrEqual(10);
});

check('queue-delivers-in-order', async () => {
  const queue = new BoundedQueue<number>(4);
  const producers = range(8).map(async (p) => {
    for (let i = 0; i < 25; i++) await queue.push(p * 1000 + i);
  });
  const received: number[] = [];
  let claimed = 0;
  const consumers = range(3).map(async () => {
    // Claim before awaiting, so three consumers never wait for a 201st item.
    while (claimed < 200) {
      claimed++;
      received.push(await queue.pop());
    }
  });
  await Promise.all([...producers, ...consumers]);
  expect([...received].sort((a, b) => a - b), 'each item once').toEqual(
    range(8).flatMap((p) => range(25).map((i) => p * 1000 + i)),
  );
  for (const p of range(8)) {
    const mine = received.filter((item) => Math.floor(item / 1000) === p);
    expect(mine, `producer ${p}’s items in the order pushed`).toEqual(range(25).map((i) => p * 1000 + i));
  }
  expect(queue.size, 'nothing left behind').toBe(0);
});

check('push-waits-when-full', async () => {
  const queue = new BoundedQueue<string>(2);
  await queue.push('a');
  await queue.push('b');
  let admitted = false;
  const third = queue.push('c').then(() => (admitted = true));
  for (let i = 0; i < 5; i++) await nextTurn();
  expect(admitted, 'push into a full queue should wait').toBe(false);
  expect(queue.size).toBe(2);
  expect(await queue.pop()).toBe('a');
  await third;
  expect(queue.size, 'the waiting item takes the freed slot').toBe(2);
  expect(await queue.pop()).toBe('b');
  expect(await queue.pop()).toBe('c');
  // And the other way round: pop on an empty queue waits for a push.
  const waiting = queue.pop();
  await queue.push('d');
  expect(await waiting).toBe('d');
});

// ── keeping the event loop free ────────────────────────────────────────────

check('signs-every-document', async () => {
  const documents = sampleDocuments(2_000);
  const signatures = await signDocuments(documents);
  expect(signatures.length, 'SIGNATURE_SIZE numbers per document').toBe(documents.length * SIGNATURE_SIZE);
  for (const i of range(documents.length)) {
    const own = signatures.subarray(i * SIGNATURE_SIZE, (i + 1) * SIGNATURE_SIZE);
    // Slicing the work must not skip, repeat or shift a document.
    if (!own.every((value, k) => value === signature(documents[i]!)[k])) {
      expect([...own], `signature of document ${i}`).toEqual([...signature(documents[i]!)]);
    }
  }
});

check('loop-stays-responsive', async () => {
  // A status request arrives every 0.5 ms and waits for the loop's next turn,
  // timed on the loop thread's own clock (see test/support/event-loop.ts).
  const documents = sampleDocuments(CHECK_DOCUMENTS);
  const report = await watchEventLoop(() => signDocuments(documents));
  const typical = median(report.statusLatencies);
  expect(typical, `median status wait over ${report.statusLatencies.length} requests, in ms`).toBeLessThan(10);
}, { timeout: 15_000 });

// ── a counter shared by worker threads ─────────────────────────────────────

check('no-lost-increments', async () => {
  const counter = SharedCounter.create();
  // Four threads on the learner's counter, released together and kept going
  // for 100 ms so their increments overlap (see test/support/workers.ts).
  const made = await countInWorkers({
    chapterNumber: 3,
    file: 'shared-counter.ts',
    buffer: counter.buffer,
    workers: 4,
    minIncrementsPerWorker: 100_000,
    windowMs: 100,
    timeoutMs: 12_000,
  });
  expect(counter.total(), `total seen by the main thread after ${made} increments in 4 threads`).toBe(made);
}, { timeout: 15_000 });

check('rate-is-per-second', () => {
  let now = 1_000_000;
  const counter = SharedCounter.create({ now: () => now });
  const second = (increments: number) => {
    now += 500;
    for (let i = 0; i < increments; i++) counter.increment();
    now += 500;
    return counter.ratePerSecond();
  };
  expect(second(1_000), 'rate after a second of 1000 increments').toBeCloseTo(1_000, 0);
  expect(second(0), 'rate after an idle second').toBeCloseTo(0, 0);
  expect(second(300), 'rate after a second of 300 increments').toBeCloseTo(300, 0);
  expect(counter.total(), 'total since the start').toBe(1_300);
});
