// Latency percentiles from hdr-histogram-js (the JS port of HdrHistogram:
// counts in a typed array on the JS side), arrivals counted per second in a
// Map that drops seconds as they leave the window.
import * as hdr from 'hdr-histogram-js';

export interface ToolSnapshot {
  count: number;
  errors: number;
  successRate: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface MetricsOptions {
  windowMs?: number;
}

interface ToolStats {
  count: number;
  errors: number;
  latencyMicros: hdr.Histogram;
  /** second → requests in it, oldest first (seconds only ever grow). */
  perSecond: Map<number, number>;
}

export class MetricsCollector {
  readonly #tools = new Map<string, ToolStats>();
  readonly #windowSeconds: number;
  #hits = 0;
  #misses = 0;

  constructor(options: MetricsOptions = {}) {
    this.#windowSeconds = Math.max(1, Math.round((options.windowMs ?? 60_000) / 1000));
  }

  record(tool: string, durationMs: number, ok = true): void {
    let stats = this.#tools.get(tool);
    if (!stats) {
      stats = {
        count: 0,
        errors: 0,
        latencyMicros: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, autoResize: false }),
        perSecond: new Map(),
      };
      this.#tools.set(tool, stats);
    }
    stats.count++;
    if (!ok) stats.errors++;
    stats.latencyMicros.recordValue(Math.min(600_000_000, Math.max(1, Math.round(durationMs * 1000))));
    const second = Math.floor(performance.now() / 1000);
    stats.perSecond.set(second, (stats.perSecond.get(second) ?? 0) + 1);
    this.#forget(stats, second);
  }

  /** Drop seconds that have left the window, from the oldest. */
  #forget(stats: ToolStats, nowSecond: number): void {
    for (const second of stats.perSecond.keys()) {
      if (second > nowSecond - this.#windowSeconds) break;
      stats.perSecond.delete(second);
    }
  }

  ratePerMinute(tool?: string): number {
    const now = Math.floor(performance.now() / 1000);
    const tools = tool === undefined ? [...this.#tools.values()] : [this.#tools.get(tool)].filter((s) => s !== undefined);
    let total = 0;
    for (const stats of tools) {
      this.#forget(stats, now);
      for (const count of stats.perSecond.values()) total += count;
    }
    return total;
  }

  snapshot(tool: string): ToolSnapshot | undefined {
    const stats = this.#tools.get(tool);
    if (!stats) return undefined;
    const h = stats.latencyMicros;
    return {
      count: stats.count,
      errors: stats.errors,
      successRate: stats.count === 0 ? 1 : (stats.count - stats.errors) / stats.count,
      p50: h.getValueAtPercentile(50) / 1000,
      p95: h.getValueAtPercentile(95) / 1000,
      p99: h.getValueAtPercentile(99) / 1000,
      max: h.maxValue / 1000,
    };
  }

  recordCacheHit(): void {
    this.#hits++;
  }

  recordCacheMiss(): void {
    this.#misses++;
  }

  cacheHitRate(): number {
    return this.#hits + this.#misses === 0 ? 0 : this.#hits / (this.#hits + this.#misses);
  }
}
