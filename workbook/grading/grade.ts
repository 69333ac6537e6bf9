// The scoring engine: turns raw check outcomes and measurements into verdicts
// against the manifest's targets. Pure functions, so the rules are unit-tested.
import os from 'node:os';
import type {
  ChapterSpec,
  CheckResult,
  Measurement,
  MetricResult,
  MetricSpec,
  RunProblem,
  Scorecard,
  Statistic,
  Target,
  Tree,
} from '../types.ts';

export function meets(measured: number, target: Target): boolean {
  if (!Number.isFinite(measured)) return false;
  switch (target.op) {
    case '<':
      return measured < target.value;
    case '<=':
      return measured <= target.value;
    case '>':
      return measured > target.value;
    case '>=':
      return measured >= target.value;
  }
}

/** The number a target grades: a percentile of the samples, or the reported value. */
export function gradedNumber(measurement: Measurement, target: Target): number | undefined {
  if (target.stat === 'value' || target.stat === 'median') {
    return measurement.value ?? measurement.summary?.p50;
  }
  return measurement.summary?.[target.stat];
}

/**
 * How many samples a graded statistic needs before it means anything: a p99
 * of fewer than 100 samples is just the largest one, a p95 of fewer than 20
 * the same, and a median of one sample is a single stopwatch reading.
 */
export function samplesNeeded(stat: Statistic): number {
  return { p99: 100, p95: 20, p50: 5, median: 5, value: 1 }[stat];
}

export function gradeMetric(spec: MetricSpec, measurement: Measurement | undefined, failure?: string): MetricResult {
  const base = {
    id: spec.id,
    title: spec.title,
    kind: spec.kind,
    unit: spec.unit,
    target: spec.target,
    ...(spec.guardRail ? { guardRail: true } : {}),
  };
  if (!measurement) {
    return { ...base, verdict: 'fail', message: failure ?? 'not measured: the bench did not report this metric' };
  }
  const measured = gradedNumber(measurement, spec.target);
  if (measured === undefined) {
    return { ...base, verdict: 'fail', message: `the bench reported no ${spec.target.stat} for this metric` };
  }
  const needed = measurement.summary ? samplesNeeded(spec.target.stat) : 1;
  if (measurement.summary && measurement.summary.n < needed) {
    return {
      ...base,
      verdict: 'fail',
      measured,
      summary: measurement.summary,
      message: `only ${measurement.summary.n} samples: a ${spec.target.stat} needs at least ${needed} to be graded. Was each call so slow that the time budget ran out?`,
    };
  }
  return {
    ...base,
    verdict: meets(measured, spec.target) ? 'pass' : 'fail',
    measured,
    ...(measurement.summary ? { summary: measurement.summary } : {}),
    ...(measurement.detail ? { detail: measurement.detail } : {}),
  };
}

export interface RawRun {
  chapter: ChapterSpec;
  tree: Tree;
  startedAt: Date;
  durationMs: number;
  backend: string;
  checks: Map<string, Omit<CheckResult, 'title'>>;
  measurements: Map<string, Measurement>;
  /** Why the bench could not report, if it could not. */
  benchFailure?: string;
  /** 'checks': the bench did not run, so only the metrics the checks reported are graded. */
  scope?: Scorecard['scope'];
  problems: RunProblem[];
}

export function buildScorecard(run: RawRun): Scorecard {
  const { chapter } = run;
  const checks: CheckResult[] = chapter.checks.map((spec) => {
    const result = run.checks.get(spec.id);
    if (!result) {
      return { id: spec.id, title: spec.title, verdict: 'fail', message: 'did not run' };
    }
    return { ...result, title: spec.title };
  });
  const scope = run.scope ?? 'full';
  const gradedSpecs = chapter.metrics.filter((spec) => scope === 'full' || run.measurements.has(spec.id));
  const metrics = gradedSpecs.map((spec) => gradeMetric(spec, run.measurements.get(spec.id), run.benchFailure));
  const failedCheck = chapter.checks.find((_, i) => checks[i]!.verdict === 'fail');
  const failedMetric = gradedSpecs.find((_, i) => metrics[i]!.verdict === 'fail');
  const firstFailure = failedCheck ?? failedMetric;
  const verdict =
    run.problems.length === 0 && checks.every((c) => c.verdict === 'pass') && metrics.every((m) => m.verdict === 'pass')
      ? 'pass'
      : 'fail';
  return {
    chapter: { number: chapter.number, slug: chapter.slug, title: chapter.title },
    tree: run.tree,
    scope,
    verdict,
    startedAt: run.startedAt.toISOString(),
    durationMs: Math.round(run.durationMs),
    environment: describeEnvironment(run.backend),
    checks,
    metrics,
    problems: run.problems,
    ...(firstFailure ? { nextHint: { id: firstFailure.id, hint: firstFailure.hint } } : {}),
  };
}

export function describeEnvironment(backend: string): Scorecard['environment'] {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    backend,
  };
}

/** Checks and metrics that failed, in scorecard order. */
export function failures(card: Scorecard): Array<CheckResult | MetricResult> {
  return [...card.checks, ...card.metrics].filter((r) => r.verdict === 'fail');
}

/** Ids that failed, for the starters suite and the agreement script. */
export function failedIds(card: Scorecard): string[] {
  return failures(card).map((r) => r.id);
}

/** Problems and failures one per line, for a test's assertion message. */
export function explainFailures(card: Scorecard): string {
  const problems = card.problems.map((p) => `  [${p.kind}] ${p.message}`);
  const failed = failures(card).map((r) => `  ${r.id}: ${r.message ?? ('measured' in r ? `measured ${r.measured}` : '')}`);
  return [...problems, ...failed].join('\n') || '  (nothing failed)';
}
