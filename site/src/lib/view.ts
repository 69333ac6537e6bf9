// Turns a chapter's manifest entry plus scorecards into what the results
// island shows: one row per check, one chart per metric, a history line.
import { withUnit } from '../../../workbook/cli/format.ts';
import type { ChapterSpec, MetricResult, MetricSpec, Scorecard, Verdict } from '../../../workbook/types.ts';
import { barChart, lineChart, targetLabel, type Bar, type Series } from './charts.ts';

export const when = (iso: string | undefined): string =>
  iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '';

export function metCount(card: Scorecard): { met: number; total: number } {
  const all = [...card.checks, ...card.metrics];
  return { met: all.filter((r) => r.verdict === 'pass').length, total: all.length };
}

/** The number a metric is graded on, from a scorecard (undefined if absent or unmeasured). */
function measured(card: Scorecard | undefined, id: string): MetricResult | undefined {
  return card?.metrics.find((m) => m.id === id);
}

/** The scorecards a metric chart compares: where the learner began, where they are, where the fix lands. */
export interface Comparands {
  starter: Scorecard | undefined;
  mine: Scorecard | undefined;
  reference: Scorecard | undefined;
}

export function metricChart(spec: MetricSpec, cards: Comparands, idPrefix: string): string {
  const series = [
    ['starter', measured(cards.starter, spec.id)],
    ['you', measured(cards.mine, spec.id)],
    ['reference', measured(cards.reference, spec.id)],
  ] as const;
  const bars: Bar[] = [];
  const push = (label: string, name: Series, result: MetricResult | undefined, value: number | undefined, graded: boolean) =>
    bars.push({ label, series: name, value, graded, ...(result ? { verdict: result.verdict } : {}) });
  if (spec.kind === 'latency' && series.some(([, r]) => r?.summary)) {
    for (const stat of ['p50', 'p95', 'p99'] as const) {
      const graded = spec.target.stat === stat;
      for (const [name, result] of series) push(stat, name, result, result?.summary?.[stat] ?? (graded ? result?.measured : undefined), graded);
    }
  } else {
    // One graded number each (value or median); the target label names the statistic.
    for (const [name, result] of series) push('', name, result, result?.measured, true);
  }
  return barChart({
    id: `${idPrefix}-${spec.id}`,
    title: `${spec.title}: the starter, yours and the reference, against the target`,
    unit: spec.unit,
    bars,
    target: { value: spec.target.value, label: targetLabel(spec.target, spec.unit) },
  });
}

/** One metric's graded figure over the learner's runs. */
export function metricHistory(spec: MetricSpec, runs: Scorecard[], idPrefix: string): string {
  return lineChart({
    id: `${idPrefix}-${spec.id}-history`,
    title: `${spec.title} over your runs`,
    unit: spec.unit,
    height: 110,
    points: runs.map((card) => {
      const m = measured(card, spec.id);
      return { value: m?.measured, label: when(card.startedAt), ...(m ? { verdict: m.verdict } : {}) };
    }),
    target: { value: spec.target.value, label: targetLabel(spec.target, spec.unit) },
  });
}

/** Checks and targets met per run. */
export function runsHistory(chapter: ChapterSpec, runs: Scorecard[], idPrefix: string): string {
  const total = chapter.checks.length + chapter.metrics.length;
  return lineChart({
    id: `${idPrefix}-runs`,
    title: 'Checks and targets met in each of your runs',
    unit: `met, of ${total}`,
    yMax: total,
    points: runs.map((card) => ({
      value: metCount(card).met,
      label: when(card.startedAt),
      verdict: card.verdict,
    })),
    target: { value: total, label: `all ${total}` },
  });
}

export function figure(result: MetricResult | undefined): string {
  if (!result) return 'not run yet';
  if (result.measured === undefined) return result.message ? `no figure (${result.message})` : 'no figure';
  return withUnit(result.measured, result.unit);
}

export function verdictMark(verdict: Verdict | undefined): { text: string; cls: string; label: string } {
  if (verdict === 'pass') return { text: '✓', cls: 'pass', label: 'passed' };
  if (verdict === 'fail') return { text: '✗', cls: 'fail', label: 'failed' };
  return { text: '—', cls: 'muted', label: 'not run yet' };
}
