// Instrumented stand-ins for the slow things a server depends on. They count
// what happened, so checks grade on counts instead of on timings.
import { setTimeout as sleep } from 'node:timers/promises';

export interface LookupOptions {
  /**
   * Pad every answer to about this many bytes, each answer its own string, so
   * a cache that keeps answers it should have dropped weighs what it keeps.
   */
  answerBytes?: number;
}

/** The answer the fake upstream gives for `query` (before any padding). */
export const answerFor = (query: string) => `results for ${query}`;

/** An upstream lookup that takes `delayMs` and counts every call. */
export function countingLookup(delayMs: number | ((query: string) => number) = 0, { answerBytes = 0 }: LookupOptions = {}) {
  const calls: string[] = [];
  let made = 0;
  return {
    calls,
    async lookup(query: string): Promise<string> {
      calls.push(query);
      const ms = typeof delayMs === 'function' ? delayMs(query) : delayMs;
      if (ms > 0) await sleep(ms);
      const answer = answerFor(query);
      if (answerBytes <= answer.length) return answer;
      // A flat string of its own every call (repeat() would build a rope that shares its halves).
      const padding = Buffer.alloc(answerBytes - answer.length, ` ${made++}`).toString('latin1');
      return answer + padding;
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
