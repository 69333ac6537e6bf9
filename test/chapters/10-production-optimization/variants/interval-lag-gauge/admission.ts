// Admission control: decide at the door whether a request may start. A server
// at capacity refuses new work at once, with a Retry-After, instead of queueing
// it: a queue only turns overload into latency for everyone, and memory.

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
/** Lag measured by hand: a 10 ms timer that notes how late it fires, averaged over 0.5 s. */
export function eventLoopDelayGauge({ resolutionMs = 10, windowMs = 500 } = {}) {
  let expected = performance.now() + resolutionMs;
  let lateSum = 0;
  let ticks = 0;
  let windowStart = performance.now();
  let last = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    lateSum += Math.max(0, now - expected);
    ticks++;
    expected = now + resolutionMs;
    if (now - windowStart >= windowMs) {
      last = lateSum / ticks;
      lateSum = 0;
      ticks = 0;
      windowStart = now;
    }
  }, resolutionMs);
  timer.unref();
  return {
    read: () => last,
    close: () => clearInterval(timer),
  };
}
// #endregion event-loop-gauge
