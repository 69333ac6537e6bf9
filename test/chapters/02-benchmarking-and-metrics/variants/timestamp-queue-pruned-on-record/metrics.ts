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
 * Arrival times in a queue, pruned on every add and every read: it holds at
 * most one window's arrivals (rate × 60 s), whatever the uptime.
 */
class SlidingWindowCounter {
  #times = new Float64Array(1024);
  #head = 0;
  #tail = 0;

  constructor(readonly windowSeconds: number) {}

  add(nowMs: number): void {
    this.#prune(nowMs);
    if (this.#tail === this.#times.length) this.#compact();
    this.#times[this.#tail++] = nowMs;
  }

  total(nowMs: number): number {
    this.#prune(nowMs);
    return this.#tail - this.#head;
  }

  #prune(nowMs: number): void {
    // Exact to the second, like buckets would be: a request leaves with its whole second.
    const oldestSecond = Math.floor(nowMs / 1000) - this.windowSeconds;
    while (this.#head < this.#tail && Math.floor(this.#times[this.#head]! / 1000) <= oldestSecond) this.#head++;
  }

  #compact(): void {
    const live = this.#tail - this.#head;
    const next = live * 2 > this.#times.length ? new Float64Array(this.#times.length * 2) : this.#times;
    next.set(this.#times.subarray(this.#head, this.#tail), 0);
    this.#times = next;
    this.#head = 0;
    this.#tail = live;
  }
}
// #endregion window

interface ToolStats {
  count: number;
  errors: number;
  latency: RecordableHistogram;
  arrivals: SlidingWindowCounter;
}

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
      stats = { count: 0, errors: 0, latency: latencyHistogram(), arrivals: new SlidingWindowCounter(this.#windowSeconds) };
      this.#tools.set(tool, stats);
    }
    stats.count++;
    if (!ok) stats.errors++;
    stats.latency.record(toMicros(durationMs));
    stats.arrivals.add(performance.now());
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
