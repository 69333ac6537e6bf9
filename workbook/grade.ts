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
  Target,
  Tree,
} from './types.ts';

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

export function gradeMetric(spec: MetricSpec, measurement: Measurement | undefined, failure?: string): MetricResult {
  const base = { id: spec.id, title: spec.title, kind: spec.kind, unit: spec.unit, target: spec.target };
  if (!measurement) {
    return { ...base, verdict: 'fail', message: failure ?? 'not measured: the bench did not report this metric' };
  }
  const measured = gradedNumber(measurement, spec.target);
  if (measured === undefined) {
    return { ...base, verdict: 'fail', message: `the bench reported no ${spec.target.stat} for this metric` };
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
  const metrics = chapter.metrics.map((spec) =>
    gradeMetric(spec, run.measurements.get(spec.id), run.benchFailure),
  );
  const failedCheck = chapter.checks.find((_, i) => checks[i]!.verdict === 'fail');
  const failedMetric = chapter.metrics.find((_, i) => metrics[i]!.verdict === 'fail');
  const firstFailure = failedCheck ?? failedMetric;
  const verdict =
    run.problems.length === 0 && checks.every((c) => c.verdict === 'pass') && metrics.every((m) => m.verdict === 'pass')
      ? 'pass'
      : 'fail';
  return {
    chapter: { number: chapter.number, slug: chapter.slug, title: chapter.title },
    tree: run.tree,
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

/** Ids that failed, for the starters suite and the agreement script. */
export function failedIds(card: Scorecard): string[] {
  return [...card.checks, ...card.metrics].filter((r) => r.verdict === 'fail').map((r) => r.id);
}
