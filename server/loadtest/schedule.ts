// The open loop's clock, shared by `npm run loadtest` and `npm run
// bench:servers`: call n is due at start + n / rate, and is sent once that time
// has passed, never before it. Its latency then counts from when it was due, so
// a stall is charged to every call due during it (no coordinated omission), and
// no call is timed from a moment before it was sent (a timer that wakes early
// would otherwise shorten the figures).
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `send(n, dueAt)` for n = 0 … rate × duration − 1 as each falls due;
 * resolves once the last is sent (sending must not wait for answers).
 * Returns the time it started (performance.now()).
 */
export async function sendOnSchedule(rate: number, durationMs: number, send: (n: number, dueAt: number) => void): Promise<number> {
  const started = performance.now();
  const total = Math.floor((rate * durationMs) / 1000);
  const interval = 1000 / rate;
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
    for (; sent < due; sent++) send(sent, started + sent * interval);
    // About a millisecond between bursts; lateness is measured, not lost.
    await sleep(Math.max(0, Math.min(interval, 1)));
  }
  return started;
}
