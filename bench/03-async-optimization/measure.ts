// Chapter 3 scorecard: the two timings. Fan-out against a one-at-a-time loop
// in the same run (a ratio), and the wait of status requests while documents
// are signed (percentiles of hundreds of samples). The counts (calls in
// flight, round trips, steps after a deadline, queue overshoot, lost
// increments) are reported by the checks whose scenarios produce them.
import { defineMeasurements } from '../../workbook/authoring/define-measurements.ts';
import { collectGarbage } from '../../workbook/authoring/memory.ts';
import { interleavedRatios, median, summarize } from '../../workbook/authoring/stats.ts';
import { watchEventLoop } from '../../test/support/event-loop.ts';
import { inputs } from '../../test/support/random.ts';
import { randomDocuments } from '../../test/chapters/03-async-optimization/documents.ts';
import { fakeIo } from '../../test/chapters/03-async-optimization/in-flight.ts';

type MapLimitModule = typeof import('../../solutions/03-async-optimization/map-limit.ts');
type EventLoopModule = typeof import('../../solutions/03-async-optimization/event-loop.ts');

const FAN_OUT_ITEMS = 40;
const SIGNED_DOCUMENTS = 15_000;
const LOOP_RUNS = 3;

export default defineMeasurements(3, async ({ subject, report, progress }) => {
  const { mapLimit, MAX_CONCURRENT } = await subject<MapLimitModule>('map-limit.ts');
  const { signDocuments } = await subject<EventLoopModule>('event-loop.ts');
  const input = inputs();
  const items = Array.from({ length: FAN_OUT_ITEMS }, (_, i) => i);

  progress('fan-out');
  // Latencies of 1–4 ms, different per item, as a real upstream's would be.
  const delays = items.map(() => input.int(1, 4));
  const upstream = fakeIo({ delayMs: (i) => delays[i]! });
  const ratios = await interleavedRatios(
    async () => {
      for (const item of items) await upstream.call(item);
    },
    () => mapLimit(items, MAX_CONCURRENT, upstream.call),
    { rounds: 5 },
  );
  report({
    id: 'fan-out-vs-serial',
    value: median(ratios),
    detail: `median of ${ratios.length} interleaved rounds, ${FAN_OUT_ITEMS} calls of 1–4 ms`,
  });

  progress('event loop while signing documents');
  // Three runs, and the one in the middle by p95 is reported: a stall from
  // outside (a CPU quota, a neighbour's burst) in one run is outvoted by the
  // other two, while code that blocks the loop blocks it in all three.
  const runs = [];
  for (let run = 0; run < LOOP_RUNS; run++) {
    const documents = randomDocuments(input, SIGNED_DOCUMENTS);
    // Collect the garbage left by making the documents, so a GC pause it owes is not charged to the job.
    collectGarbage();
    const loop = await watchEventLoop(() => signDocuments(documents));
    runs.push({ status: summarize(loop.statusLatencies), wall: summarize(loop.wallLatencies), delay: loop.delay });
  }
  runs.sort((a, b) => a.status.p95 - b.status.p95);
  const middle = runs[Math.floor(runs.length / 2)]!;
  report({
    id: 'status-latency-while-busy',
    summary: middle.status,
    detail:
      `${middle.status.n} status requests while ${SIGNED_DOCUMENTS.toLocaleString('en')} documents were signed, on the loop thread’s own clock; ` +
      `the middle of ${runs.length} runs by p95 (all: ${runs.map((r) => r.status.p95.toFixed(1)).join(', ')} ms); ` +
      `wall clock p95 ${middle.wall.p95.toFixed(1)} ms, monitorEventLoopDelay p99 ${middle.delay.p99.toFixed(1)} ms (both include time the OS gave to other programs)`,
  });
});
