// Per-tool request metrics that cost O(1) time and O(1) memory per record:
// latency goes into a fixed-size histogram, arrivals into per-second buckets.
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export interface ToolSnapshot {
  count: number;
  errors: number;
  /** (count − errors) ÷ count. */
  successRate: number;
  /** Latency percentiles and maximum, in milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface MetricsOptions {
  /** Length of the ratePerMinute window. */
  windowMs?: number;
}

// #region histogram
// The histogram stores integers: record microseconds, clamped to a range that
// covers every latency a tool call can have (1 µs … 10 min) at 3 significant digits.
const LOWEST_US = 1;
const HIGHEST_US = 600_000_000;

function latencyHistogram(): RecordableHistogram {
  return createHistogram({ lowest: LOWEST_US, highest: HIGHEST_US, figures: 3 });
}

function toMicros(ms: number): number {
  return Math.min(HIGHEST_US, Math.max(LOWEST_US, Math.round(ms * 1000)));
}
// #endregion histogram

// #region window
/**
 * Requests per window, counted in one bucket per second. Memory is fixed by
 * the window length, however many requests arrive; the answer is exact to the
 * second.
 */
class SlidingWindowCounter {
  readonly #counts: Uint32Array;
  /** Which second each bucket currently holds. */
  readonly #seconds: Float64Array;

  constructor(readonly windowSeconds: number) {
    this.#counts = new Uint32Array(windowSeconds);
    this.#seconds = new Float64Array(windowSeconds).fill(-1);
  }

  add(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % this.windowSeconds;
    if (this.#seconds[slot] !== second) {
      // The bucket last held a second that has left the window: reuse it.
      this.#seconds[slot] = second;
      this.#counts[slot] = 0;
    }
    this.#counts[slot]!++;
  }

  total(nowMs: number): number {
    const oldest = Math.floor(nowMs / 1000) - this.windowSeconds;
    let total = 0;
    for (let slot = 0; slot < this.windowSeconds; slot++) {
      if (this.#seconds[slot]! > oldest) total += this.#counts[slot]!;
    }
    return total;
  }
}
// #endregion window

interface ToolStats {
  count: number;
  errors: number;
  latency: RecordableHistogram;
  arrivals: SlidingWindowCounter;
  /** The last RECENT latencies, and how many of them were slow. */
  recent: number[];
  recentSlow: number;
}

const RECENT = 2_000;
const SLOW_MS = 100;

export class MetricsCollector {
  readonly #tools = new Map<string, ToolStats>();
  readonly #windowSeconds: number;
  #cacheHits = 0;
  #cacheMisses = 0;

  constructor(options: MetricsOptions = {}) {
    this.#windowSeconds = Math.max(1, Math.round((options.windowMs ?? 60_000) / 1000));
  }

  // #region record
  record(tool: string, durationMs: number, ok = true): void {
    let stats = this.#tools.get(tool);
    if (!stats) {
      stats = { count: 0, errors: 0, latency: latencyHistogram(), arrivals: new SlidingWindowCounter(this.#windowSeconds), recent: [], recentSlow: 0 };
      this.#tools.set(tool, stats);
    }
    stats.count++;
    if (!ok) stats.errors++;
    stats.latency.record(toMicros(durationMs));
    stats.arrivals.add(performance.now());
    // Bounded, and right: but it recounts the window on every request.
    if (stats.recent.length >= RECENT) stats.recent.shift();
    stats.recent.push(durationMs);
    stats.recentSlow = stats.recent.filter((ms) => ms > SLOW_MS).length;
  }

  /** How many of the last 2 000 calls of `tool` took over 100 ms. */
  recentSlowCalls(tool: string): number {
    return this.#tools.get(tool)?.recentSlow ?? 0;
  }
  // #endregion record

  /** Requests that arrived in the last window (60 s by default), for one tool or all. */
  ratePerMinute(tool?: string): number {
    const now = performance.now();
    if (tool !== undefined) return this.#tools.get(tool)?.arrivals.total(now) ?? 0;
    let total = 0;
    for (const stats of this.#tools.values()) total += stats.arrivals.total(now);
    return total;
  }

  snapshot(tool: string): ToolSnapshot | undefined {
    const stats = this.#tools.get(tool);
    if (!stats) return undefined;
    const ms = (micros: number) => micros / 1000;
    return {
      count: stats.count,
      errors: stats.errors,
      successRate: stats.count === 0 ? 1 : (stats.count - stats.errors) / stats.count,
      p50: ms(stats.latency.percentile(50)),
      p95: ms(stats.latency.percentile(95)),
      p99: ms(stats.latency.percentile(99)),
      max: ms(stats.latency.max),
    };
  }

  recordCacheHit(): void {
    this.#cacheHits++;
  }

  recordCacheMiss(): void {
    this.#cacheMisses++;
  }

  cacheHitRate(): number {
    const total = this.#cacheHits + this.#cacheMisses;
    return total === 0 ? 0 : this.#cacheHits / total;
  }
}
