// Measures what a status request would wait for while the event loop is busy.
// Requests are taken to arrive every ARRIVAL_MS whether or not the loop is
// free (no coordinated omission): each waits until the loop's next turn.
//
// The waits are measured on the loop thread's own clock, which leaves out the
// time the OS gave the CPU to other programs: on a shared machine that pauses
// us for tens of ms at a time, which no code can prevent. What is left is the
// time our own code held the loop (GC pauses included), so the verdict is the
// same on a busy laptop and an idle server. Wall-clock figures are reported
// beside it, with perf_hooks.monitorEventLoopDelay's reading, the gauge to use
// in production.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SampleSummary } from '../../workbook/types.ts';
import { loopClock } from './thread-clock.ts';

const ARRIVAL_MS = 0.5;

export interface LoopReport {
  /** Wait, in ms of the loop thread's own clock (see loopClock), of each status request that arrived during the run. */
  statusLatencies: number[];
  /** The same on the wall clock (includes time the OS gave to other programs). */
  wallLatencies: number[];
  /** perf_hooks.monitorEventLoopDelay over the run, in ms past its 1 ms timer. */
  delay: SampleSummary;
  /** How many times the loop got round to timers while the work ran. */
  turns: number;
}

/** Run `work` and watch the event loop while it runs. */
export async function watchEventLoop(work: () => Promise<unknown>): Promise<LoopReport> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const wallTurns: number[] = [];
  const ownTurns: number[] = [];
  const mark = () => {
    wallTurns.push(performance.now());
    ownTurns.push(loopClock());
  };
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    mark();
    timer = setTimeout(tick, 1);
  };
  delay.enable();
  // The histogram starts timing at its first tick: let that happen before the work.
  await sleep(3);
  mark();
  timer = setTimeout(tick, 1);
  try {
    await work();
  } finally {
    clearTimeout(timer);
  }
  mark();
  // One more timer interval, so a block that lasted until the end is recorded.
  await sleep(2);
  delay.disable();

  return {
    statusLatencies: waits(ownTurns),
    wallLatencies: waits(wallTurns),
    delay: delaySummary(delay),
    turns: wallTurns.length - 2,
  };
}

// #region status-waits
/** For requests arriving every ARRIVAL_MS from the first mark to the last: how long until the next turn. */
function waits(turns: number[]): number[] {
  const result: number[] = [];
  const end = turns[turns.length - 1]!;
  let next = 0;
  for (let arrival = turns[0]!; arrival < end; arrival += ARRIVAL_MS) {
    while (turns[next]! < arrival) next++;
    result.push(turns[next]! - arrival);
  }
  // No arrivals at all only if the run took under ARRIVAL_MS: nobody waited.
  return result.length > 0 ? result : [0];
}
// #endregion status-waits

function delaySummary(histogram: IntervalHistogram): SampleSummary {
  // The histogram records the whole timer interval: take the 1 ms resolution off.
  const ms = (ns: number) => Math.max(0, ns / 1e6 - 1);
  return {
    n: histogram.count,
    min: ms(histogram.min),
    p50: ms(histogram.percentile(50)),
    p95: ms(histogram.percentile(95)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    mean: ms(histogram.mean),
  };
}

/** Documents for a CPU-heavy job: `count` texts of about 250 characters, every 10th a near-copy of the one before. */
export function sampleDocuments(count: number): string[] {
  const documents: string[] = [];
  for (let i = 0; i < count; i++) {
    const base = i % 10 === 9 ? i - 1 : i;
    const words: string[] = [];
    for (let w = 0; w < 30; w++) words.push(`w${(base * 31 + w * 17) % 5_000}`);
    if (base !== i) words[29] = 'edited';
    documents.push(words.join(' '));
  }
  return documents;
}
