// Instrumented stand-ins for the slow things a server depends on. They count
// what happened, so checks grade on counts instead of on timings.
import { setTimeout as sleep } from 'node:timers/promises';

/** An upstream lookup that takes `delayMs` and counts every call. */
export function countingLookup(delayMs: number | ((query: string) => number) = 0) {
  const calls: string[] = [];
  return {
    calls,
    async lookup(query: string): Promise<string> {
      calls.push(query);
      const ms = typeof delayMs === 'function' ? delayMs(query) : delayMs;
      if (ms > 0) await sleep(ms);
      return `results for ${query}`;
    },
  };
}

/** A clock the check moves by hand. */
export function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}
