// Chapter 3 scorecard. Almost everything here is a count from an instrumented
// fake (calls in flight, round trips, steps after a deadline, queue size, lost
// increments); the two timings are a ratio against a serial baseline in the
// same run and percentiles of many status requests.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineBench } from '../workbook/measure.ts';
import { interleavedRatios, median, summarize } from '../workbook/stats.ts';
import { sampleDocuments, watchEventLoop } from '../test/support/event-loop.ts';
import { drainWithManyProducers, fakeIo, fakeRecordSource, steppedWork } from '../test/support/in-flight.ts';
import { countInWorkers } from '../test/support/workers.ts';

type MapLimitModule = typeof import('../solutions/03-async-optimization/map-limit.ts');
type BatchModule = typeof import('../solutions/03-async-optimization/batch.ts');
type DeadlineModule = typeof import('../solutions/03-async-optimization/deadline.ts');
type QueueModule = typeof import('../solutions/03-async-optimization/bounded-queue.ts');
type EventLoopModule = typeof import('../solutions/03-async-optimization/event-loop.ts');
type CounterModule = typeof import('../solutions/03-async-optimization/shared-counter.ts');

const FAN_OUT_ITEMS = 40;
const UPSTREAM_MS = 2;
const SIGNED_DOCUMENTS = 15_000;
const WORKERS = 4;
const MIN_INCREMENTS_PER_WORKER = 100_000;
const COUNTING_WINDOW_MS = 100;

export default defineBench(3, async ({ subject, report, progress }) => {
  const { mapLimit, MAX_CONCURRENT } = await subject<MapLimitModule>('map-limit.ts');
  const { fetchAll } = await subject<BatchModule>('batch.ts');
  const { withDeadline } = await subject<DeadlineModule>('deadline.ts');
  const { BoundedQueue } = await subject<QueueModule>('bounded-queue.ts');
  const { signDocuments } = await subject<EventLoopModule>('event-loop.ts');
  const { SharedCounter } = await subject<CounterModule>('shared-counter.ts');
  const items = Array.from({ length: FAN_OUT_ITEMS }, (_, i) => i);

  progress('fan-out');
  const counted = fakeIo({ delayMs: () => UPSTREAM_MS });
  await mapLimit(items, MAX_CONCURRENT, counted.call);
  report({ id: 'peak-in-flight', value: counted.stats.peak, detail: `${FAN_OUT_ITEMS} items, ${UPSTREAM_MS} ms each, limit ${MAX_CONCURRENT}` });

  const upstream = fakeIo({ delayMs: () => UPSTREAM_MS });
  const ratios = await interleavedRatios(
    async () => {
      for (const item of items) await upstream.call(item);
    },
    () => mapLimit(items, MAX_CONCURRENT, upstream.call),
    { rounds: 5 },
  );
  report({ id: 'fan-out-vs-serial', value: median(ratios), detail: `median of ${ratios.length} interleaved rounds` });

  progress('batching');
  const records = fakeRecordSource(1);
  await fetchAll(Array.from({ length: 250 }, (_, i) => `id-${i}`), records.source);
  report({
    id: 'round-trips-for-250-ids',
    value: records.stats.oneCalls + records.stats.batchSizes.length,
    detail: `${records.stats.oneCalls} fetchOne + ${records.stats.batchSizes.length} fetchBatch, peak ${records.stats.peak} in flight`,
  });

  progress('deadline');
  const work = steppedWork({ steps: 30, stepMs: 4 }); // 120 ms if left alone
  await withDeadline(work.run, { timeoutMs: 20 }).catch(() => {});
  work.markAnswered();
  await sleep(130);
  report({ id: 'steps-after-deadline', value: work.stats.stepsAfterAnswer, detail: `20 ms deadline on 30 steps of 4 ms; ${work.stats.stepsDone} steps ran in all` });

  progress('bounded queue');
  const peak = await drainWithManyProducers(new BoundedQueue<number>(10));
  report({ id: 'queue-peak', value: peak, detail: 'capacity 10, 50 producers × 20 items, one consumer' });

  progress('event loop while signing documents');
  const documents = sampleDocuments(SIGNED_DOCUMENTS);
  const loop = await watchEventLoop(() => signDocuments(documents));
  const status = summarize(loop.statusLatencies);
  const wall = summarize(loop.wallLatencies);
  report({
    id: 'status-latency-while-busy',
    summary: status,
    detail:
      `${status.n} status requests while ${SIGNED_DOCUMENTS.toLocaleString('en')} documents were signed, on the loop thread’s own clock; ` +
      `wall clock p95 ${wall.p95.toFixed(1)} ms, monitorEventLoopDelay p99 ${loop.delay.p99.toFixed(1)} ms (both include time the OS gave to other programs)`,
  });

  progress('shared counter');
  const counter = SharedCounter.create();
  const made = await countInWorkers({
    chapterNumber: 3,
    file: 'shared-counter.ts',
    buffer: counter.buffer,
    workers: WORKERS,
    minIncrementsPerWorker: MIN_INCREMENTS_PER_WORKER,
    windowMs: COUNTING_WINDOW_MS,
    timeoutMs: 15_000,
  });
  report({
    id: 'lost-increments',
    value: made - counter.total(),
    detail: `${WORKERS} worker threads made ${made.toLocaleString('en')} increments in ${COUNTING_WINDOW_MS} ms`,
  });
});
