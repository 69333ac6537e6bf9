import { expect, test } from 'vitest';
import { summaryText } from '../../workbook/cli/format.ts';
import { buildScorecard, failedIds, gradeMetric, meets } from '../../workbook/grading/grade.ts';
import type { ChapterSpec, MetricSpec } from '../../workbook/types.ts';

const latencySpec: MetricSpec = {
  id: 'latency',
  title: 'latency',
  kind: 'latency',
  unit: 'ms',
  target: { stat: 'p95', op: '<', value: 50 },
  hint: 'be faster',
};
const summary = (p95: number) => ({ n: 100, min: 1, p50: 2, p95, p99: p95 + 1, max: p95 + 2, mean: 3 });

test('meets compares in the target’s direction and rejects NaN', () => {
  expect(meets(49, { stat: 'value', op: '<', value: 50 })).toBe(true);
  expect(meets(50, { stat: 'value', op: '<', value: 50 })).toBe(false);
  expect(meets(50, { stat: 'value', op: '<=', value: 50 })).toBe(true);
  expect(meets(0.95, { stat: 'value', op: '>=', value: 0.95 })).toBe(true);
  expect(meets(Number.NaN, { stat: 'value', op: '>', value: 0 })).toBe(false);
});

test('a latency metric is graded on the percentile its target names', () => {
  expect(gradeMetric(latencySpec, { id: 'latency', summary: summary(40) })).toMatchObject({ verdict: 'pass', measured: 40 });
  expect(gradeMetric(latencySpec, { id: 'latency', summary: summary(60) })).toMatchObject({ verdict: 'fail', measured: 60 });
});

test('a metric the bench never reported fails with the bench’s reason', () => {
  const result = gradeMetric(latencySpec, undefined, 'the bench stopped: boom');
  expect(result).toMatchObject({ verdict: 'fail', message: 'the bench stopped: boom' });
  expect(result.measured).toBeUndefined();
});

const chapter: ChapterSpec = {
  number: 9,
  slug: '09-test',
  title: 'Test',
  summary: '',
  files: ['x.ts'],
  checks: [
    { id: 'a', title: 'a', hint: 'hint a' },
    { id: 'b', title: 'b', hint: 'hint b' },
  ],
  metrics: [latencySpec],
  starterFails: { b: 'because' },
};

const run = (overrides: Partial<Parameters<typeof buildScorecard>[0]> = {}) =>
  buildScorecard({
    chapter,
    tree: 'chapters',
    startedAt: new Date(0),
    durationMs: 10,
    backend: 'embedded',
    checks: new Map([
      ['a', { id: 'a', verdict: 'pass' as const }],
      ['b', { id: 'b', verdict: 'pass' as const }],
    ]),
    measurements: new Map([['latency', { id: 'latency', summary: summary(10) }]]),
    problems: [],
    ...overrides,
  });

test('all checks and targets met ⇒ pass, with no hint', () => {
  const card = run();
  expect(card.verdict).toBe('pass');
  expect(card.nextHint).toBeUndefined();
  expect(failedIds(card)).toEqual([]);
});

test('a check that did not run fails, and the first failure gives the hint', () => {
  const card = run({ checks: new Map([['a', { id: 'a', verdict: 'pass' as const }]]) });
  expect(card.verdict).toBe('fail');
  expect(card.checks[1]).toMatchObject({ id: 'b', verdict: 'fail', message: 'did not run' });
  expect(card.nextHint).toEqual({ id: 'b', hint: 'hint b' });
  expect(failedIds(card)).toEqual(['b']);
});

test('a problem (type error, timeout) fails the run even when every check passed', () => {
  const card = run({ problems: [{ kind: 'types', message: 'TS2322' }] });
  expect(card.verdict).toBe('fail');
});

test('a percentile from too few samples fails, saying how many it needs', () => {
  const few = { id: 'latency', summary: { ...summary(10), n: 12 } };
  const result = gradeMetric(latencySpec, few);
  expect(result.verdict).toBe('fail');
  expect(result.message).toMatch(/only 12 samples: a p95 needs at least 20/);
  const p99Spec: MetricSpec = { ...latencySpec, target: { stat: 'p99', op: '<', value: 50 } };
  expect(gradeMetric(p99Spec, { id: 'latency', summary: { ...summary(10), n: 99 } }).verdict).toBe('fail');
  expect(gradeMetric(p99Spec, { id: 'latency', summary: { ...summary(10), n: 100 } }).verdict).toBe('pass');
});

test('the scorecard prints only the percentiles its sample count supports', () => {
  expect(summaryText({ ...summary(10), n: 12 }, 'ms')).toBe('p50 2 ms (n=12)');
  expect(summaryText({ ...summary(10), n: 40 }, 'ms')).toBe('p50 2  p95 10 ms (n=40)');
  expect(summaryText({ ...summary(10), n: 100 }, 'ms')).toBe('p50 2  p95 10  p99 11 ms (n=100)');
});

test('a guard rail is graded like any target and marked as one', () => {
  const result = gradeMetric({ ...latencySpec, guardRail: true }, { id: 'latency', summary: summary(60) });
  expect(result).toMatchObject({ verdict: 'fail', guardRail: true });
});
