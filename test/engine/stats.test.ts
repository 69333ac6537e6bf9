import { expect, test } from 'vitest';
import { interleavedRatios, median, quantile, samplesNeededFor, summarize } from '../../workbook/authoring/stats.ts';

test('quantile interpolates between ranks', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  expect(quantile(sorted, 0)).toBe(1);
  expect(quantile(sorted, 1)).toBe(10);
  expect(quantile(sorted, 0.5)).toBe(5.5);
  expect(quantile([], 0.5)).toBeNaN();
});

test('summarize reports the tail, not just the middle', () => {
  const samples = [...Array.from({ length: 99 }, () => 1), 500];
  const summary = summarize(samples);
  expect(summary).toMatchObject({ n: 100, min: 1, p50: 1, max: 500 });
  expect(summary.p99).toBeGreaterThan(1);
  expect(summary.mean).toBeCloseTo(5.99, 2);
});

test('median ignores one wild outlier', () => {
  expect(median([3, 1, 1000, 2, 2])).toBe(2);
});

test('samplesNeededFor: p99 needs 100 samples', () => {
  expect(samplesNeededFor(0.99)).toBe(100);
  expect(samplesNeededFor(0.95)).toBe(20);
});

test('interleavedRatios sees a 3× heavier subject as about 3×', async () => {
  let sink = 0;
  const work = (n: number) => {
    for (let i = 0; i < n; i++) sink += Math.sqrt(i);
  };
  // Rounds of about 1 ms and 3 ms: long enough that the JIT settles in the
  // warm-up (with 40 µs rounds Node 24 read 10.7× in one CI run) and
  // a scheduler tick does not dominate a round.
  for (let i = 0; i < 20; i++) work(60_000);
  const ratios = await interleavedRatios(() => work(20_000), () => work(60_000), { rounds: 11, callsPerRound: 20 });
  expect(ratios).toHaveLength(11);
  // Wide bounds: this is a smoke test of the mechanism, not a benchmark.
  expect(median(ratios)).toBeGreaterThan(1.5);
  expect(median(ratios)).toBeLessThan(6);
  expect(sink).toBeGreaterThan(0);
});

test('interleavedRatios awaits async sides', async () => {
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const ratios = await interleavedRatios(() => wait(5), () => wait(25), { rounds: 3 });
  expect(median(ratios)).toBeGreaterThan(2);
});
