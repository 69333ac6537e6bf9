// No histogram library: latencies counted in log-spaced buckets 1 % wide
// (1 µs … 10 min is about 2 000 of them), so any percentile is within 0.5 %;
// arrivals kept as [second, count] pairs, pruned on every record and read.

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

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const MIN_MS = 0.001;
const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / LOG_GROWTH) + 1;

class LogHistogram {
  readonly counts = new Uint32Array(BUCKETS);
  total = 0;
  max = 0;

  add(ms: number): void {
    const clamped = Math.min(600_000, Math.max(MIN_MS, ms));
    this.counts[Math.floor(Math.log(clamped / MIN_MS) / LOG_GROWTH)]!++;
    this.total++;
    if (ms > this.max) this.max = ms;
  }

  /** The value below which `q` of the samples fall: the middle of the bucket holding that rank. */
  quantile(q: number): number {
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, MIN_MS * GROWTH ** (i + 0.5));
    }
    return this.max;
  }
}

class RecentArrivals {
  /** Flat pairs: second, count, second, count, … oldest first. */
  #pairs: number[] = [];

  constructor(private readonly windowSeconds: number) {}

  add(second: number): void {
    this.prune(second);
    const n = this.#pairs.length;
    if (n > 0 && this.#pairs[n - 2] === second) this.#pairs[n - 1]!++;
    else this.#pairs.push(second, 1);
  }

  count(second: number): number {
    this.prune(second);
    let total = 0;
    for (let i = 1; i < this.#pairs.length; i += 2) total += this.#pairs[i]!;
    return total;
  }

  private prune(second: number): void {
    let drop = 0;
    while (drop < this.#pairs.length && this.#pairs[drop]! <= second - this.windowSeconds) drop += 2;
    if (drop > 0) this.#pairs.splice(0, drop);
  }
}

export class MetricsCollector {
  readonly #tools = new Map<string, { count: number; errors: number; latency: LogHistogram; arrivals: RecentArrivals }>();
  readonly #windowSeconds: number;
  #cache = { hits: 0, misses: 0 };

  constructor(options: MetricsOptions = {}) {
    this.#windowSeconds = Math.max(1, Math.round((options.windowMs ?? 60_000) / 1000));
  }

  record(tool: string, durationMs: number, ok = true): void {
    let stats = this.#tools.get(tool);
    if (!stats) this.#tools.set(tool, (stats = { count: 0, errors: 0, latency: new LogHistogram(), arrivals: new RecentArrivals(this.#windowSeconds) }));
    stats.count++;
    if (!ok) stats.errors++;
    stats.latency.add(durationMs);
    stats.arrivals.add(Math.floor(performance.now() / 1000));
  }

  ratePerMinute(tool?: string): number {
    const second = Math.floor(performance.now() / 1000);
    let total = 0;
    for (const [name, stats] of this.#tools) if (tool === undefined || name === tool) total += stats.arrivals.count(second);
    return total;
  }

  snapshot(tool: string): ToolSnapshot | undefined {
    const stats = this.#tools.get(tool);
    if (!stats) return undefined;
    return {
      count: stats.count,
      errors: stats.errors,
      successRate: (stats.count - stats.errors) / stats.count,
      p50: stats.latency.quantile(0.5),
      p95: stats.latency.quantile(0.95),
      p99: stats.latency.quantile(0.99),
      max: stats.latency.max,
    };
  }

  recordCacheHit(): void {
    this.#cache.hits++;
  }

  recordCacheMiss(): void {
    this.#cache.misses++;
  }

  cacheHitRate(): number {
    const { hits, misses } = this.#cache;
    return hits + misses === 0 ? 0 : hits / (hits + misses);
  }
}
