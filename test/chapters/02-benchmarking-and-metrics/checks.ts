import { afterEach, expect, vi } from 'vitest';
import { defineChecks } from '../../../workbook/authoring/define-checks.ts';
import { collectGarbage, liveBytes } from '../../../workbook/authoring/memory.ts';
import { quantile } from '../../../workbook/authoring/stats.ts';
import { inputs } from '../../support/random.ts';
import { watchBenchmark, type BenchmarkModule, type MethodReport } from './method.ts';
import { trackHistograms } from './native-histograms.ts';

type MetricsModule = typeof import('../../../solutions/02-benchmarking-and-metrics/metrics.ts');

const { check, subject } = defineChecks(2);
// Tracking starts before the learner's module loads, so a histogram made at
// import time is counted like any other (only those still alive are weighed).
const histograms = trackHistograms();
const { MetricsCollector } = await subject<MetricsModule>('metrics.ts');
const benchmark = await subject<BenchmarkModule>('record-benchmark.ts');
// Tools, latencies and times are new every run (replay one with WORKBOOK_SEED).
const input = inputs();
const seeded = (message: string) => `${message} (inputs from seed ${input.seed})`;

afterEach(() => {
  vi.useRealTimers();
});

check('counts-outcomes', () => {
  const metrics = new MetricsCollector();
  const expected = new Map<string, { count: number; errors: number }>();
  for (const tool of [input.word(), input.word(), input.word()]) {
    const tally = expected.get(tool) ?? { count: 0, errors: 0 };
    const failures = input.int(0, 4);
    for (let i = 0; i < input.int(1, 12); i++) {
      metrics.record(tool, input.between(1, 50), true);
      tally.count++;
    }
    for (let i = 0; i < failures; i++) {
      metrics.record(tool, input.between(1, 50), false);
      tally.count++;
      tally.errors++;
    }
    expected.set(tool, tally);
  }
  for (const [tool, { count, errors }] of expected) {
    expect(metrics.snapshot(tool), seeded(`counts for "${tool}"`)).toMatchObject({ count, errors, successRate: (count - errors) / count });
  }
});

/**
 * Latencies shaped like a cached tool's: most calls hit (0.5–4.5 ms), 8–15 %
 * miss (80–400 ms). Two humps at places drawn for this run, so no
 * mean-and-deviation shortcut fits and no remembered answer does either.
 */
function twoHumps(count: number): number[] {
  const hit = { from: input.between(0.5, 2), width: input.between(1, 2.5) };
  const miss = { from: input.between(80, 150), width: input.between(100, 250) };
  const missRate = input.between(0.08, 0.15);
  return Array.from({ length: count }, () => {
    const hump = input.random() < missRate ? miss : hit;
    return hump.from + input.random() * hump.width;
  });
}

check('percentiles-accurate', () => {
  const latencies = twoHumps(20_000);
  const metrics = new MetricsCollector();
  const tool = input.word();
  for (const ms of latencies) metrics.record(tool, ms);
  const sorted = [...latencies].sort((a, b) => a - b);
  const snapshot = metrics.snapshot(tool)!;
  for (const [name, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
    const truth = quantile(sorted, q);
    const error = Math.abs(snapshot[name] - truth) / truth;
    expect(error, seeded(`${name} is ${snapshot[name].toFixed(2)} ms, the true ${name} is ${truth.toFixed(2)} ms`)).toBeLessThan(0.05);
  }
  expect(snapshot.max).toBeCloseTo(sorted.at(-1)!, 0);
});

check('window-rate', () => {
  vi.useFakeTimers({ now: input.int(0, 1e12) });
  const metrics = new MetricsCollector();
  const [busy, other] = [input.word(), input.word() + input.word()];
  // A burst of slow requests, then a mix of fast ones 20–35 s later.
  const firstAt = input.int(100, 5_000);
  vi.advanceTimersByTime(firstAt);
  const early = input.int(50, 150);
  for (let i = 0; i < early; i++) metrics.record(busy, 2_000 + i); // slow: the duration must not matter
  const gap = input.int(20_000, 35_000);
  vi.advanceTimersByTime(gap);
  const late = input.int(20, 80);
  let lateBusy = 0;
  for (let i = 0; i < late; i++) {
    const tool = input.random() < 0.5 ? busy : other;
    if (tool === busy) lateBusy++;
    metrics.record(tool, 5);
  }
  const at = (ms: number) => `at ${((firstAt + ms) / 1000).toFixed(1)} s`;
  vi.advanceTimersByTime(10_000);
  expect(metrics.ratePerMinute(), seeded(`${at(gap + 10_000)} all ${early + late} requests are inside the last minute`)).toBe(early + late);
  // 61.5 s after the burst, it has left the window; the later ones have not.
  vi.advanceTimersByTime(61_500 - gap - 10_000);
  expect(metrics.ratePerMinute(), seeded(`${at(61_500)} the ${early} requests from ${at(0)} have left the window`)).toBe(late);
  expect(metrics.ratePerMinute(busy), seeded(`per tool: ${lateBusy} "${busy}" requests since ${at(gap)}`)).toBe(lateBusy);
  vi.advanceTimersByTime(gap);
  expect(metrics.ratePerMinute(), seeded(`${at(61_500 + gap)} nothing is left in the window`)).toBe(0);
});

check('cache-hit-rate', () => {
  const metrics = new MetricsCollector();
  expect(metrics.cacheHitRate()).toBe(0);
  const [hits, misses] = [input.int(1, 40), input.int(1, 40)];
  for (let i = 0; i < hits + misses; i++) {
    if (i < hits) metrics.recordCacheHit();
    else metrics.recordCacheMiss();
  }
  expect(metrics.cacheHitRate(), `${hits} hits and ${misses} misses`).toBeCloseTo(hits / (hits + misses), 10);
});

check('unknown-tool', () => {
  const metrics = new MetricsCollector();
  metrics.record(input.word(), 1);
  expect(metrics.snapshot(`${input.word()}-${input.int(0, 999)}`)).toBeUndefined();
});

// ── a day of traffic: does the memory stay put? ─────────────────────────────

const DAY_SECONDS = 86_400;
const RECORDS = 1_000_000;

check('a-day-of-traffic', ({ report }) => {
  // 10⁶ requests spread over 24 hours of fake time, to four tools: state kept
  // per second (or per minute, or per request) and never dropped piles up here.
  const tools = [input.word(), input.word() + '_a', input.word() + '_b', input.word() + '_c'];
  const latencies = twoHumps(4_096);
  const expected = tools.map(() => ({ count: 0, errors: 0 }));
  const choices = Uint8Array.from({ length: 4_096 }, () => input.int(0, 3));
  const failures = Uint8Array.from({ length: 4_096 }, () => (input.random() < 0.02 ? 1 : 0));

  collectGarbage();
  const histogramsBefore = histograms.live();
  const before = liveBytes();
  vi.useFakeTimers({ now: input.int(0, 1e12) });
  const metrics = new MetricsCollector();
  let made = 0;
  for (let second = 0; second < DAY_SECONDS; second++) {
    const due = Math.floor(((second + 1) * RECORDS) / DAY_SECONDS);
    for (; made < due; made++) {
      const which = choices[(made * 7 + (made >>> 12)) & 4095]!;
      const ok = failures[made & 4095] === 0;
      metrics.record(tools[which]!, latencies[made & 4095]!, ok);
      expected[which]!.count++;
      if (!ok) expected[which]!.errors++;
    }
    vi.advanceTimersByTime(1_000);
  }
  vi.useRealTimers();
  collectGarbage();
  const heapBytes = Math.max(0, liveBytes() - before);
  const native = histograms.live();
  const nativeBytes = native.bytes - histogramsBefore.bytes;
  const bytes = heapBytes + nativeBytes;
  report({
    id: 'retained-after-1m',
    value: bytes / 1e6,
    detail:
      `${(heapBytes / 1e6).toFixed(2)} MB heap + external, ${(nativeBytes / 1e6).toFixed(2)} MB in ` +
      `${native.count - histogramsBefore.count} perf_hooks histograms still alive (native memory process.memoryUsage() does not show); ` +
      `${RECORDS.toLocaleString('en-US')} records over 24 h`,
  });
  // And after all that, every request is still counted.
  tools.forEach((tool, i) => {
    expect(metrics.snapshot(tool), seeded(`counts for "${tool}" after a day`)).toMatchObject(expected[i]!);
  });
}, { timeout: 30_000 });

// ── the learner's own benchmark ─────────────────────────────────────────────

const BENCHMARK_BUDGET_MS = 12_000;
let firstRun: Promise<MethodReport> | undefined;
/** One run of the learner's benchmark, shared by the checks that grade its method. */
const methodRun = () => (firstRun ??= watchBenchmark(benchmark, input.between(2, 3), BENCHMARK_BUDGET_MS));

check('benchmark-warms-up', async () => {
  const run = await methodRun();
  for (const name of ['baseline', 'subject'] as const) {
    expect(run.before[name], `calls of the ${name} before its first timed sample`).toBeGreaterThanOrEqual(1_000);
  }
}, { timeout: 30_000 });

check('benchmark-enough-samples', async () => {
  const run = await methodRun();
  expect(run.samples.length, 'tasks in the bench').toBeGreaterThan(0);
  for (const { task, samples } of run.samples) {
    expect(samples, `timed samples of task "${task}"`).toBeGreaterThanOrEqual(100);
  }
}, { timeout: 30_000 });

check('benchmark-same-run-baseline', async () => {
  const run = await methodRun();
  expect(run.timed.baseline, 'calls of the baseline while this bench was timing').toBeGreaterThan(0);
  expect(run.timed.subject, 'calls of the subject while this bench was timing').toBeGreaterThan(0);
}, { timeout: 30_000 });

check('benchmark-overhead', async () => {
  // Two runs with different true ratios: an answer that is not measured cannot match both.
  const runs = [await methodRun(), await watchBenchmark(benchmark, input.between(8, 12), BENCHMARK_BUDGET_MS)];
  for (const run of runs) {
    if (run.overhead instanceof Error) throw run.overhead;
    const truth = run.trueRatio;
    expect(
      run.overhead,
      `overhead() for a subject that costs ${truth.toFixed(1)}× its baseline (within 1.5× either way)`,
    ).toBeGreaterThanOrEqual(truth / 1.5);
    expect(run.overhead, `overhead() for a subject that costs ${truth.toFixed(1)}× its baseline`).toBeLessThanOrEqual(truth * 1.5);
  }
}, { timeout: 30_000 });
