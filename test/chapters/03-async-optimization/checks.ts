import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { defineChecks } from '../../../workbook/authoring/define-checks.ts';
import { collectGarbage } from '../../../workbook/authoring/memory.ts';
import { median } from '../../../workbook/authoring/stats.ts';
import { watchEventLoop } from '../../support/event-loop.ts';
import { inputs } from '../../support/random.ts';
import { countInWorkers } from '../../support/workers.ts';
import { randomDocuments } from './documents.ts';
import { drainWithManyProducers, fakeIo, fakeRecordSource, finishesWithIdleSlots, steppedWork, within } from './in-flight.ts';

type MapLimitModule = typeof import('../../../solutions/03-async-optimization/map-limit.ts');
type BatchModule = typeof import('../../../solutions/03-async-optimization/batch.ts');
type DeadlineModule = typeof import('../../../solutions/03-async-optimization/deadline.ts');
type QueueModule = typeof import('../../../solutions/03-async-optimization/bounded-queue.ts');
type EventLoopModule = typeof import('../../../solutions/03-async-optimization/event-loop.ts');
type CounterModule = typeof import('../../../solutions/03-async-optimization/shared-counter.ts');

const { check, subject } = defineChecks(3);
const { mapLimit, MAX_CONCURRENT } = await subject<MapLimitModule>('map-limit.ts');
const { fetchAll } = await subject<BatchModule>('batch.ts');
const { withDeadline } = await subject<DeadlineModule>('deadline.ts');
const { BoundedQueue } = await subject<QueueModule>('bounded-queue.ts');
const { signDocuments, signature, SIGNATURE_SIZE } = await subject<EventLoopModule>('event-loop.ts');
const { SharedCounter } = await subject<CounterModule>('shared-counter.ts');

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
// Item counts, delays, ids and sizes are new every run (replay one with WORKBOOK_SEED).
const input = inputs();
const seeded = (message: string) => `${message} (inputs from seed ${input.seed})`;
/** Enough documents for about 100 ms of signing: a blocking starter makes the median request wait ~50 ms. */
const CHECK_DOCUMENTS = 12_000;
/** Per-item latencies from `min` to `max` ms, different for every item. */
const variedDelays = (count: number, min: number, max: number) => range(count).map(() => input.int(min, max));

// ── bounded concurrency ────────────────────────────────────────────────────

check('limits-in-flight', async ({ report }) => {
  for (const limit of [MAX_CONCURRENT, input.int(2, 7)]) {
    const items = input.int(40, 80);
    const delays = variedDelays(items, 1, 8);
    const upstream = fakeIo({ delayMs: (i) => delays[i]! });
    await mapLimit(range(items), limit, upstream.call);
    if (limit === MAX_CONCURRENT) {
      report({ id: 'peak-in-flight', value: upstream.stats.peak, detail: `${items} items of 1–8 ms, limit ${limit}` });
    }
    expect(upstream.stats.calls, 'every item should be called exactly once').toBe(items);
    expect(upstream.stats.peak, seeded(`peak calls in flight with limit ${limit}`)).toBeLessThanOrEqual(limit);
    // A limiter that runs one at a time is within its limit, and far too slow.
    expect(upstream.stats.peak, `with limit ${limit} and ${items} items, ${limit} calls should overlap`).toBe(limit);
  }
});

check('refills-freed-slots', async () => {
  // Latencies vary, so a limiter that runs fixed chunks of `limit` waits for
  // each chunk's slowest call while the other slots stand empty.
  for (const limit of [MAX_CONCURRENT, input.int(3, 6)]) {
    const items = input.int(50, 80);
    const delays = variedDelays(items, 1, 12);
    const upstream = fakeIo({ delayMs: (i) => delays[i]! });
    await mapLimit(range(items), limit, upstream.call);
    const idle = finishesWithIdleSlots(upstream.stats.events, items);
    expect(
      idle,
      seeded(`calls that finished while a slot freed earlier stood empty, with items still waiting (limit ${limit}, ${items} items of 1–12 ms)`),
    ).toBeLessThanOrEqual(Math.floor(items / 10));
  }
});

check('keeps-input-order', async () => {
  // Every item its own latency, in shuffled order: calls finish in an order
  // unrelated to the input.
  const items = input.int(25, 40);
  const delays = input.shuffle(range(items).map((i) => 2 + i));
  const upstream = fakeIo({ delayMs: (i) => delays[i]! });
  const results = await mapLimit(range(items), input.int(5, 10), upstream.call);
  expect(
    results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected')),
    seeded('result i must belong to item i'),
  ).toEqual(range(items).map((i) => `item ${i}`));
});

check('settles-each-item', async () => {
  // Equal delays, so calls finish in the order they started: this check is
  // about failures, not ordering.
  const items = input.int(15, 30);
  const failing = new Set(input.shuffle(range(items)).slice(0, input.int(2, 5)));
  const upstream = fakeIo({ delayMs: () => 2, failsOn: (i) => failing.has(i) });
  const results = await mapLimit(range(items), input.int(2, 6), upstream.call);
  expect(results).toHaveLength(items);
  for (const i of range(items)) {
    const result = results[i]!;
    if (failing.has(i)) {
      expect(result.status, seeded(`item ${i} fails upstream`)).toBe('rejected');
      expect(String((result as PromiseRejectedResult).reason)).toContain(`item ${i}`);
    } else {
      expect(result, seeded(`item ${i} succeeds`)).toEqual({ status: 'fulfilled', value: `item ${i}` });
    }
  }
});

// ── batching ───────────────────────────────────────────────────────────────

check('batches-of-100', async ({ report }) => {
  const upstream = fakeRecordSource(1);
  const ids = input.distinctIds(input.int(201, 480));
  const records = await fetchAll(ids, upstream.source);
  const fewest = Math.ceil(ids.length / 100);
  const roundTrips = upstream.stats.oneCalls + upstream.stats.batchSizes.length;
  report({
    id: 'extra-round-trips',
    value: roundTrips - fewest,
    detail: `${ids.length} ids: ${upstream.stats.oneCalls} fetchOne + ${upstream.stats.batchSizes.length} fetchBatch (${fewest} needed), peak ${upstream.stats.peak} in flight`,
  });
  expect(records.map((r) => r.id), seeded('one record per id, in the order asked')).toEqual(ids);
  expect(upstream.stats.oneCalls, 'fetchOne round trips (one per id is the problem)').toBe(0);
  expect(upstream.stats.batchSizes.length, `fetchBatch round trips for ${ids.length} ids`).toBe(fewest);
  expect(Math.max(...upstream.stats.batchSizes), 'ids per fetchBatch call').toBeLessThanOrEqual(100);
  expect(upstream.stats.peak, 'round trips in flight at once').toBeLessThanOrEqual(10);
});

// ── deadlines that cancel ──────────────────────────────────────────────────

check('cancels-at-deadline', async ({ report }) => {
  const [steps, stepMs, timeoutMs] = [input.int(30, 50), input.int(4, 6), input.int(30, 50)];
  const work = steppedWork({ steps, stepMs }); // 120–300 ms if left alone
  const started = performance.now();
  const error = await withDeadline(work.run, { timeoutMs }).then(
    () => undefined,
    (reason: unknown) => reason as Error,
  );
  work.markAnswered();
  const answeredAfter = performance.now() - started;
  // Give work that ignores its signal time to show it: up to 30 more steps.
  await sleep(Math.min(30 * stepMs, steps * stepMs));
  report({
    id: 'steps-after-deadline',
    value: work.stats.stepsAfterAnswer,
    detail: `${timeoutMs} ms deadline on ${steps} steps of ${stepMs} ms; ${work.stats.stepsDone} steps ran in all`,
  });
  expect(error, `a ${steps * stepMs} ms job with a ${timeoutMs} ms deadline should reject`).toBeDefined();
  expect(error!.name, 'the rejection for a deadline').toBe('TimeoutError');
  // A timer may fire a millisecond early (and late by tens of ms on a busy
  // machine, which is why the upper bound is counted in steps, not ms).
  expect(answeredAfter, `ms until the caller got its answer, with a ${timeoutMs} ms deadline`).toBeGreaterThanOrEqual(timeoutMs - 5);
  expect(work.stats.stepsDone, `steps done when the caller got its answer (all ${steps} means it waited for the work)`).toBeLessThan(steps);
  expect(work.stats.stepsAfterAnswer, 'steps the work ran after the deadline had answered the caller').toBe(0);
});

check('caller-can-cancel', async () => {
  const [steps, stepMs] = [input.int(30, 50), input.int(4, 6)];
  const work = steppedWork({ steps, stepMs });
  const caller = new AbortController();
  setTimeout(() => caller.abort(new Error('client went away')), input.int(10, 30));
  const outcome = await withDeadline(work.run, { timeoutMs: 5_000, signal: caller.signal }).then(
    () => 'resolved',
    () => 'rejected',
  );
  work.markAnswered();
  expect(outcome, 'aborting the caller’s signal should reject').toBe('rejected');
  expect(work.stats.stepsDone, `steps done when the caller got its answer (all ${steps} means it waited for the work)`).toBeLessThan(steps);
  await sleep(16 * stepMs);
  expect(work.stats.stepsAfterAnswer, 'steps the work ran after the caller gave up').toBe(0);
});

check('returns-in-time-results', async () => {
  const fast = steppedWork({ steps: input.int(1, 3), stepMs: 2 });
  await expect(withDeadline(fast.run, { timeoutMs: 1_000 })).resolves.toBe('finished');
  expect(fast.stats.sawSignal, 'the work should be given an AbortSignal').toBe(true);
  const failure = new Error(`upstream said no (${input.word()})`);
  await expect(withDeadline(async () => Promise.reject(failure), { timeoutMs: 1_000 })).rejects.toBe(failure);
});

// ── bounded queue with backpressure ────────────────────────────────────────

check('queue-stays-bounded', async ({ report }) => {
  const capacity = input.int(5, 15);
  const producers = input.int(30, 60);
  const peak = await drainWithManyProducers(new BoundedQueue<number>(capacity), { producers, itemsEach: input.int(10, 25) });
  report({ id: 'queue-overshoot', value: Math.max(0, peak - capacity), detail: `largest size ${peak} with capacity ${capacity}, ${producers} producers, one consumer` });
  expect(peak, seeded(`largest size seen with capacity ${capacity}`)).toBeLessThanOrEqual(capacity);
});

check('queue-delivers-in-order', async () => {
  const queue = new BoundedQueue<number>(input.int(2, 6));
  const [producerCount, each] = [input.int(5, 10), input.int(15, 30)];
  const total = producerCount * each;
  const producers = range(producerCount).map(async (p) => {
    for (let i = 0; i < each; i++) await queue.push(p * 1000 + i);
  });
  const received: number[] = [];
  let claimed = 0;
  const consumers = range(input.int(2, 4)).map(async () => {
    // Claim before awaiting, so consumers never wait for an item past the last.
    while (claimed < total) {
      claimed++;
      received.push(await queue.pop());
    }
  });
  await within(3_000, `consumers were still waiting after 3 s for some of ${total} items: did the queue lose any?`, Promise.all([...producers, ...consumers]));
  expect([...received].sort((a, b) => a - b), seeded('each item once')).toEqual(
    range(producerCount).flatMap((p) => range(each).map((i) => p * 1000 + i)),
  );
  for (const p of range(producerCount)) {
    const mine = received.filter((item) => Math.floor(item / 1000) === p);
    expect(mine, `producer ${p}’s items in the order pushed`).toEqual(range(each).map((i) => p * 1000 + i));
  }
  expect(queue.size, 'nothing left behind').toBe(0);
});

check('push-waits-when-full', async () => {
  const [a, b, c, d] = input.distinctIds(4);
  const queue = new BoundedQueue<string>(2);
  await queue.push(a!);
  await queue.push(b!);
  let admitted = false;
  const third = queue.push(c!).then(() => (admitted = true));
  for (let i = 0; i < 5; i++) await nextTurn();
  expect(admitted, 'push into a full queue should wait').toBe(false);
  expect(queue.size).toBe(2);
  expect(await queue.pop()).toBe(a);
  await third;
  expect(queue.size, 'the waiting item takes the freed slot').toBe(2);
  expect(await queue.pop()).toBe(b);
  expect(await queue.pop()).toBe(c);
  // And the other way round: pop on an empty queue waits for a push.
  const waiting = queue.pop();
  await queue.push(d!);
  expect(await waiting).toBe(d);
});

// ── keeping the event loop free ────────────────────────────────────────────

check('signs-every-document', async () => {
  const documents = randomDocuments(input, input.int(1_500, 2_500));
  const signatures = await signDocuments(documents);
  // The signatures must say something about the text: different documents, different signatures.
  const [first, second] = [signature(documents[0]!), signature(documents[1]!)];
  expect(first.filter((value, k) => value === second[k]).length, 'signature slots two unrelated documents share').toBeLessThan(SIGNATURE_SIZE / 2);
  expect(signatures.length, 'SIGNATURE_SIZE numbers per document').toBe(documents.length * SIGNATURE_SIZE);
  for (const i of range(documents.length)) {
    const own = signatures.subarray(i * SIGNATURE_SIZE, (i + 1) * SIGNATURE_SIZE);
    // Slicing the work must not skip, repeat or shift a document.
    const expected = signature(documents[i]!);
    if (!own.every((value, k) => value === expected[k])) {
      expect([...own], seeded(`signature of document ${i}`)).toEqual([...expected]);
    }
  }
});

check('loop-stays-responsive', async () => {
  // A status request arrives every 0.5 ms and waits for the loop's next turn,
  // timed on the loop thread's own clock (see test/support/event-loop.ts).
  const documents = randomDocuments(input, CHECK_DOCUMENTS);
  // The garbage from making the documents is collected now, not in the middle of the job.
  collectGarbage();
  const report = await watchEventLoop(() => signDocuments(documents));
  const typical = median(report.statusLatencies);
  expect(typical, `median status wait over ${report.statusLatencies.length} requests, in ms`).toBeLessThan(10);
}, { timeout: 15_000 });

// ── a counter shared by worker threads ─────────────────────────────────────

check('no-lost-increments', async ({ report }) => {
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
  report({ id: 'lost-increments', value: made - counter.total(), detail: `4 worker threads made ${made.toLocaleString('en')} increments in 100 ms` });
  expect(counter.total(), `total seen by the main thread after ${made} increments in 4 threads`).toBe(made);
}, { timeout: 15_000 });

check('rate-is-per-second', () => {
  let now = input.int(1_000, 1e9);
  const counter = SharedCounter.create({ now: () => now });
  const second = (increments: number) => {
    now += 500;
    for (let i = 0; i < increments; i++) counter.increment();
    now += 500;
    return counter.ratePerSecond();
  };
  const [busy, quieter] = [input.int(500, 2_000), input.int(100, 400)];
  expect(second(busy), `rate after a second of ${busy} increments`).toBeCloseTo(busy, 0);
  expect(second(0), 'rate after an idle second').toBeCloseTo(0, 0);
  expect(second(quieter), `rate after a second of ${quieter} increments`).toBeCloseTo(quieter, 0);
  expect(counter.total(), 'total since the start').toBe(busy + quieter);
});
