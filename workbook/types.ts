// The shapes every part of the workbook agrees on: the manifest describes
// chapters with them, the engine grades with them, results files store them.

/** Which copy of a chapter is being scored. */
export type Tree = 'chapters' | 'solutions';

/** A correctness check: one vitest test whose name is `id`. */
export interface CheckSpec {
  id: string;
  /** One line a learner reads on the scorecard. */
  title: string;
  /** Shown when this check fails: points the way, never gives the answer. */
  hint: string;
}

export type Comparison = '<' | '<=' | '>' | '>=';

/** Which number of a measurement is compared with its target. */
export type Statistic = 'value' | 'p50' | 'p95' | 'p99' | 'median';

export interface Target {
  stat: Statistic;
  op: Comparison;
  value: number;
}

/**
 * What a metric is made of, which decides how it is measured and how much a
 * noisy machine can move it:
 *  - count: a deterministic tally (round trips, lookups, peak in-flight).
 *  - ratio: two measurements from the same run divided (noise cancels).
 *  - latency: a distribution of wall-clock samples (graded on a percentile).
 *  - bytes: retained memory read after a forced GC.
 *  - rate: work per unit of time.
 */
export type MetricKind = 'count' | 'ratio' | 'latency' | 'bytes' | 'rate';

export interface MetricSpec {
  id: string;
  title: string;
  kind: MetricKind;
  unit: string;
  target: Target;
  hint: string;
  /** Where the target comes from, e.g. "guide: query tools < 50 ms cached". */
  source?: string;
  /**
   * A target the starter already meets: it guards against a fix that breaks
   * something else, but does not tell the starter from the fix. Shown apart.
   */
  guardRail?: boolean;
}

export interface ChapterSpec {
  number: number;
  slug: string;
  title: string;
  /** One sentence: the production problem this chapter fixes. */
  summary: string;
  /** Files the learner edits, relative to `chapters/NN-slug/` (mirrored in `solutions/`). */
  files: string[];
  checks: CheckSpec[];
  metrics: MetricSpec[];
  /**
   * The checks and metrics the starter must fail, each with the reason the
   * lesson gives. `npm test` proves the starter fails exactly these.
   */
  starterFails: Record<string, string>;
  /** Does the chapter reach PostgreSQL or Redis (embedded by default)? */
  services?: Array<'postgres' | 'redis'>;
}

/** A summary of repeated samples, computed by `workbook/stats.ts`. */
export interface SampleSummary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** What a bench reports for one metric. */
export interface Measurement {
  id: string;
  /** The graded number when the target's stat is 'value' or 'median'. */
  value?: number;
  summary?: SampleSummary;
  /** Extra context shown beside the figure, e.g. "200 calls, 20 distinct queries". */
  detail?: string;
}

export type Verdict = 'pass' | 'fail';

export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
}

export interface CheckResult {
  id: string;
  title: string;
  verdict: Verdict;
  message?: string;
  location?: SourceLocation;
  durationMs?: number;
}

export interface MetricResult {
  id: string;
  title: string;
  kind: MetricKind;
  unit: string;
  target: Target;
  /** Copied from the spec: a target the starter meets too (see MetricSpec.guardRail). */
  guardRail?: boolean;
  verdict: Verdict;
  /** The number compared with the target (absent when the bench failed). */
  measured?: number;
  summary?: SampleSummary;
  detail?: string;
  message?: string;
}

/** A problem that stopped the run before every check could report. */
export interface RunProblem {
  kind: 'compile' | 'types' | 'timeout' | 'crash' | 'service';
  message: string;
  location?: SourceLocation;
}

export interface Scorecard {
  chapter: { number: number; slug: string; title: string };
  tree: Tree;
  /** 'full' unless only the checks ran (`--checks-only`): then metrics the checks did not report are absent. */
  scope?: 'full' | 'checks';
  verdict: Verdict;
  startedAt: string;
  durationMs: number;
  environment: { node: string; platform: string; cpu: string; cores: number; backend: string };
  checks: CheckResult[];
  metrics: MetricResult[];
  problems: RunProblem[];
  /** The hint for the first failure, if any. */
  nextHint?: { id: string; hint: string };
}
