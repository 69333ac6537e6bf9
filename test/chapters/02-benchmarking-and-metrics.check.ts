import { afterEach, expect, vi } from 'vitest';
import { defineChecks } from '../../workbook/check.ts';
import { quantile } from '../../workbook/stats.ts';
import { bimodalLatencies } from '../support/random.ts';

type MetricsModule = typeof import('../../solutions/02-benchmarking-and-metrics/metrics.ts');

const { check, subject } = defineChecks(2);
const { MetricsCollector } = await subject<MetricsModule>('metrics.ts');

afterEach(() => {
  vi.useRealTimers();
});

check('counts-outcomes', () => {
  const metrics = new MetricsCollector();
  for (const ok of [true, true, true, false]) metrics.record('search', 5, ok);
  metrics.record('status', 1);
  expect(metrics.snapshot('search')).toMatchObject({ count: 4, errors: 1, successRate: 0.75 });
  expect(metrics.snapshot('status')).toMatchObject({ count: 1, errors: 0, successRate: 1 });
});

check('percentiles-accurate', () => {
  const latencies = bimodalLatencies(20_000);
  const metrics = new MetricsCollector();
  for (const ms of latencies) metrics.record('search', ms);
  const sorted = [...latencies].sort((a, b) => a - b);
  const snapshot = metrics.snapshot('search')!;
  for (const [name, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
    const truth = quantile(sorted, q);
    const error = Math.abs(snapshot[name] - truth) / truth;
    expect(error, `${name} is ${snapshot[name].toFixed(2)} ms, the true ${name} is ${truth.toFixed(2)} ms`).toBeLessThan(0.05);
  }
  expect(snapshot.max).toBeCloseTo(sorted.at(-1)!, 0);
});

check('window-rate', () => {
  vi.useFakeTimers({ now: 0 });
  const metrics = new MetricsCollector();
  vi.advanceTimersByTime(100);
  for (let i = 0; i < 100; i++) metrics.record('search', 2_000 + i); // slow requests at t = 0.1 s
  vi.advanceTimersByTime(30_000);
  for (let i = 0; i < 50; i++) metrics.record(i % 2 ? 'search' : 'status', 5); // fast ones at t = 30.1 s
  vi.advanceTimersByTime(15_000);
  expect(metrics.ratePerMinute(), 'at 45 s all 150 requests are inside the last minute').toBe(150);
  vi.advanceTimersByTime(16_400);
  expect(metrics.ratePerMinute(), 'at 61.5 s the 100 requests from t = 0.1 s have left the window').toBe(50);
  expect(metrics.ratePerMinute('search'), 'per tool: 25 search requests since t = 30.1 s').toBe(25);
  vi.advanceTimersByTime(30_000);
  expect(metrics.ratePerMinute(), 'at 91.5 s nothing is left in the window').toBe(0);
});

check('cache-hit-rate', () => {
  const metrics = new MetricsCollector();
  expect(metrics.cacheHitRate()).toBe(0);
  for (let i = 0; i < 3; i++) metrics.recordCacheHit();
  metrics.recordCacheMiss();
  expect(metrics.cacheHitRate()).toBe(0.75);
});

check('unknown-tool', () => {
  const metrics = new MetricsCollector();
  metrics.record('search', 1);
  expect(metrics.snapshot('never-called')).toBeUndefined();
});
