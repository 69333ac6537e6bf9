// Admission control: at most maxInFlight requests run at once; the rest wait
// for a free slot.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface AdmissionOptions {
  /** Requests allowed to run at once. Past it, requests are refused, not queued. */
  maxInFlight?: number;
  /** Refuse new work while the event loop lags more than this many ms (mean over the last half second). */
  maxEventLoopDelayMs?: number;
  /** Reads the current event-loop delay in ms (default: a monitorEventLoopDelay gauge). */
  eventLoopDelay?: () => number;
  /** What refused clients are told to wait, in seconds (the Retry-After header). */
  retryAfterSeconds?: number;
}

export type ShedReason = 'in-flight' | 'event-loop-delay';

export type Admission =
  | { admitted: true; release(): void }
  | { admitted: false; reason: ShedReason; retryAfterSeconds: number };

export interface AdmissionStats {
  admitted: number;
  shed: number;
  peakInFlight: number;
}

export interface AdmissionControl {
  /** Admit a request, waiting for a free slot if all are taken. */
  admit(): Promise<Admission>;
  inFlight(): number;
  stats(): AdmissionStats;
  /** Stop the event-loop gauge. */
  close(): void;
}

export const DEFAULT_ADMISSION = {
  maxInFlight: 32,
  maxEventLoopDelayMs: 100,
  retryAfterSeconds: 1,
} satisfies AdmissionOptions;

export function createAdmissionControl(options: AdmissionOptions = {}): AdmissionControl {
  const { maxInFlight } = { ...DEFAULT_ADMISSION, ...options };
  const gauge = options.eventLoopDelay ? undefined : eventLoopDelayGauge();
  const stats: AdmissionStats = { admitted: 0, shed: 0, peakInFlight: 0 };
  let inFlight = 0;

  // #region admit
  // Requests past the limit wait their turn, first come first served, like the
  // guide's semaphore: nobody is turned away, a slot always frees up.
  const waiting: Array<() => void> = [];

  async function admit(): Promise<Admission> {
    if (inFlight >= maxInFlight) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight++;
    stats.admitted++;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    let released = false;
    return {
      admitted: true,
      release() {
        if (released) return;
        released = true;
        inFlight--;
        waiting.shift()?.();
      },
    };
  }
  // #endregion admit

  return {
    admit,
    inFlight: () => inFlight,
    stats: () => ({ ...stats }),
    close: () => gauge?.close(),
  };
}

// #region event-loop-gauge
/**
 * The event loop's recent delay in ms: the mean of perf_hooks'
 * monitorEventLoopDelay over the last completed window. A mean, not a p99, so
 * one GC pause does not turn traffic away: sustained lag does. Reading it costs
 * a variable read, so it can be asked on every request.
 */
export function eventLoopDelayGauge({ resolutionMs = 10, windowMs = 500 } = {}) {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  // Never reset(): the first tick after a reset is not recorded, so a block
  // that starts just then would go unseen. Difference running totals instead.
  let seen = { count: 0, sum: 0 };
  let last = 0;
  const timer = setInterval(() => {
    const count = histogram.count;
    const sum = count > 0 ? histogram.mean * count : 0;
    const ticks = count - seen.count;
    // Each sample is a whole timer interval: take the resolution off.
    last = ticks > 0 ? Math.max(0, (sum - seen.sum) / ticks / 1e6 - resolutionMs) : windowMs;
    seen = { count, sum };
  }, windowMs);
  timer.unref();
  return {
    read: () => last,
    close() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
// #endregion event-loop-gauge
