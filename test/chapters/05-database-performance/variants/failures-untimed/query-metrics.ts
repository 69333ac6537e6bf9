// Times every query the server runs and logs the slow ones. The time that
// counts is the time until the result arrives: take the end time after await.
export const SLOW_QUERY_MS = 100;

export interface QueryStats {
  count: number;
  slow: number;
  meanMs: number;
  maxMs: number;
}

export interface QueryMetricsOptions {
  /** Told about every query slower than SLOW_QUERY_MS. */
  logSlow?: (name: string, ms: number) => void;
}

export interface QueryMetrics {
  /** Run `query`, time it until its result arrives, and return that result. */
  timed<T>(name: string, query: () => Promise<T>): Promise<T>;
  snapshot(name: string): QueryStats | undefined;
}

export function createQueryMetrics(options: QueryMetricsOptions = {}): QueryMetrics {
  const logSlow =
    options.logSlow ?? ((name, ms) => console.warn(`slow query ${JSON.stringify(name)}: ${ms.toFixed(0)} ms`));
  // Running totals per query name: constant memory however many queries run.
  const totals = new Map<string, { count: number; slow: number; totalMs: number; maxMs: number }>();

  function record(name: string, ms: number): void {
    let entry = totals.get(name);
    if (!entry) totals.set(name, (entry = { count: 0, slow: 0, totalMs: 0, maxMs: 0 }));
    entry.count++;
    entry.totalMs += ms;
    entry.maxMs = Math.max(entry.maxMs, ms);
    if (ms > SLOW_QUERY_MS) {
      entry.slow++;
      logSlow(name, ms);
    }
  }

  return {
    // #region timed
    async timed(name, query) {
      const started = performance.now();
      const result = await query();
      // Recorded once the result is in; a query that throws is never timed.
      record(name, performance.now() - started);
      return result;
    },
    // #endregion timed
    snapshot(name) {
      const entry = totals.get(name);
      if (!entry) return undefined;
      return { count: entry.count, slow: entry.slow, meanMs: entry.totalMs / entry.count, maxMs: entry.maxMs };
    },
  };
}
