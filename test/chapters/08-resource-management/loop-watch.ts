// Status latency while CPU jobs run elsewhere. Chapter 3's watcher
// (test/support/event-loop.ts) ticks a 1 ms timer and reads wall time minus the
// time the thread waited for a CPU; that suits a loop kept busy by its own
// work. Here the fixed loop is mostly idle, waiting for worker threads, and on
// a shared virtual machine an idle or even a spinning thread loses tens of ms
// at a time that Linux reports as neither running nor waiting for a CPU (the
// hypervisor, a late timer wake-up). No code of ours held the loop then. So:
//  - the loop is kept turning with setImmediate (it never sleeps), and
//  - requests, one every ARRIVAL_MS, wait for the next turn measured in the
//    CPU time the loop thread actually ran (/proc/thread-self/schedstat,
//    field 1). A job computed on the loop runs the clock for its whole length;
//    time other programs or the hypervisor took does not count.
// The turns themselves are counted too: a loop blocked while jobs run (on the
// jobs themselves, or in Atomics.wait for a worker's answer) turns about once
// per job, a free one thousands of times.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const ARRIVAL_MS = 0.5;

export interface TurnReport {
  /** Wait of each status request that arrived during the run, in ms of the loop thread's CPU time. */
  statusLatencies: number[];
  /** Times the loop came round while the work ran. */
  turns: number;
  /** The same on the wall clock. */
  wallLatencies: number[];
  /** perf_hooks.monitorEventLoopDelay's p99 over the run, in ms past its 1 ms resolution. */
  delayP99: number;
}

/** Milliseconds of CPU time the calling thread has run (Linux); elsewhere the wall clock. */
const loopClock: () => number = (() => {
  const ranMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  try {
    if (Number.isFinite(ranMs())) return ranMs;
  } catch {
    // Not Linux.
  }
  return () => performance.now();
})();

// #region watch
export async function watchLoopTurns(work: () => Promise<unknown>): Promise<TurnReport> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const wall: number[] = [];
  const own: number[] = [];
  const mark = () => {
    wall.push(performance.now());
    own.push(loopClock());
  };
  let running = true;
  const spin = () => {
    if (!running) return;
    mark();
    setImmediate(spin);
  };
  delay.enable();
  await sleep(3);
  spin();
  try {
    await work();
  } finally {
    running = false;
  }
  mark();
  await sleep(2);
  delay.disable();
  return {
    statusLatencies: waits(own),
    turns: wall.length - 2,
    wallLatencies: waits(wall),
    delayP99: Math.max(0, delay.percentile(99) / 1e6 - 1),
  };
}
// #endregion watch

/** For requests arriving every ARRIVAL_MS from the first mark to the last: how long until the next turn. */
function waits(turns: number[]): number[] {
  const result: number[] = [];
  const end = turns[turns.length - 1]!;
  let next = 0;
  for (let arrival = turns[0]!; arrival < end; arrival += ARRIVAL_MS) {
    while (turns[next]! < arrival) next++;
    result.push(turns[next]! - arrival);
  }
  return result.length > 0 ? result : [0];
}
