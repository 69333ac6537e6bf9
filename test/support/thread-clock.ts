// The loop thread's own clock, for timings that must not depend on what else
// the machine is running.
import { readFileSync } from 'node:fs';

/** Taken when this module loads, before any learner code can replace it. */
const wallClock = performance.now.bind(performance);

function waitedMs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
}

/** True where loopClock can leave out time other programs had the CPU (Linux). */
export const ownTimeAvailable: boolean = (() => {
  try {
    return Number.isFinite(waitedMs());
  } catch {
    return false; // Not Linux.
  }
})();

/**
 * Milliseconds on the loop thread's own clock: wall time minus the time the OS
 * kept this thread waiting for a CPU (Linux reports it per thread in
 * /proc/thread-self/schedstat, up to date at every context switch). Time spent
 * running our code, in GC pauses or blocked counts; time other programs had
 * the CPU does not. Elsewhere it is the wall clock.
 */
export const loopClock: () => number = ownTimeAvailable ? () => wallClock() - waitedMs() : wallClock;
