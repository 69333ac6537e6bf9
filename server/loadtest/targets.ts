// The guide's targets (chapter 1), as the load test grades them. Latency
// targets are per tool class and graded on p95 (p99 shown beside it).

export type Verdict = 'pass' | 'fail' | 'n/a';

/** p95 latency target in ms for each tool class the load test knows. */
export const LATENCY_TARGET_MS: Record<string, number> = {
  cached: 50, // query tools answered from a cache
  uncached: 200, // query tools that reach the database
  query: 200, // read-only tools of a server that does not say whether they are cached
  status: 10, // status tools answered from memory
  action: 100, // simple action tools
  compute: 500, // complex action tools
  tool: 200, // anything else
};

export const TARGETS = {
  throughputPerSecond: 1_000,
  rssBytes: 512 * 1024 * 1024,
  /** CPU share of one core while serving the open-loop ("normal") load. */
  cpuPercent: 70,
  /** Failed calls (not counting shed ones) as a share of all calls. */
  errorRate: 0.001,
} as const;

export function classTarget(cls: string): number {
  return LATENCY_TARGET_MS[cls] ?? LATENCY_TARGET_MS.tool!;
}
