// Per-tool request metrics for an MCP server. The numbers look plausible on a
// dashboard; three of them are wrong. Read lesson.mdx, then: npm run chapter 2
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

interface Sample {
  tool: string;
  durationMs: number;
  ok: boolean;
  at: number;
}

// z-scores of the normal distribution for each percentile.
const Z = { p50: 0, p95: 1.645, p99: 2.326 };

export class MetricsCollector {
  // #region samples
  /** Every request ever recorded. */
  readonly #samples: Sample[] = [];
  // #endregion samples
  readonly #windowMs: number;
  #cacheHits = 0;
  #cacheMisses = 0;

  constructor(options: MetricsOptions = {}) {
    this.#windowMs = options.windowMs ?? 60_000;
  }

  record(tool: string, durationMs: number, ok = true): void {
    this.#samples.push({ tool, durationMs, ok, at: performance.now() });
  }

  // #region window
  /** Requests that arrived in the last window (60 s by default), for one tool or all. */
  ratePerMinute(tool?: string): number {
    return this.#samples.filter((s) => (tool === undefined || s.tool === tool) && s.durationMs < this.#windowMs).length;
  }
  // #endregion window

  // #region snapshot
  snapshot(tool: string): ToolSnapshot | undefined {
    const samples = this.#samples.filter((s) => s.tool === tool);
    if (samples.length === 0) return undefined;
    const durations = samples.map((s) => s.durationMs);
    const mean = durations.reduce((sum, d) => sum + d, 0) / durations.length;
    const variance = durations.reduce((sum, d) => sum + (d - mean) ** 2, 0) / durations.length;
    const sd = Math.sqrt(variance);
    const errors = samples.filter((s) => !s.ok).length;
    return {
      count: samples.length,
      errors,
      successRate: (samples.length - errors) / samples.length,
      p50: mean + Z.p50 * sd,
      p95: mean + Z.p95 * sd,
      p99: mean + Z.p99 * sd,
      max: durations.reduce((highest, d) => Math.max(highest, d), 0),
    };
  }
  // #endregion snapshot

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
