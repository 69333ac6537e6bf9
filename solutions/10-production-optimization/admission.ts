// Admission control: decide at the door whether a request may start. A server
// at capacity refuses new work at once, with a Retry-After, instead of queueing
// it: a queue only turns overload into latency for everyone, and memory.
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
  /** Admit a request now, or refuse it now. Never waits for a slot. */
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
  const { maxInFlight, maxEventLoopDelayMs, retryAfterSeconds } = { ...DEFAULT_ADMISSION, ...options };
  const gauge = options.eventLoopDelay ? undefined : eventLoopDelayGauge();
  const eventLoopDelay = options.eventLoopDelay ?? (() => gauge!.read());
  const stats: AdmissionStats = { admitted: 0, shed: 0, peakInFlight: 0 };
  let inFlight = 0;

  // #region admit
  function admit(): Admission {
    // Two signals, both cheap to read: how much work we have started, and
    // how late the event loop is running (CPU saturation the count misses).
    const reason: ShedReason | undefined =
      inFlight >= maxInFlight ? 'in-flight' : eventLoopDelay() > maxEventLoopDelayMs ? 'event-loop-delay' : undefined;
    if (reason) {
      stats.shed++;
      return { admitted: false, reason, retryAfterSeconds };
    }
    inFlight++;
    stats.admitted++;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    let released = false;
    return {
      admitted: true,
      release() {
        // Called from both 'finish' and 'close' paths: count each request once.
        if (released) return;
        released = true;
        inFlight--;
      },
    };
  }
  // #endregion admit

  return {
    admit: async () => admit(),
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
