import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { defineChecks } from '../../workbook/check.ts';
import { callTool, connect } from '../support/mcp.ts';
import { countingLookup, manualClock } from '../support/fakes.ts';

type SearchModule = typeof import('../../solutions/01-performance-philosophy/search-server.ts');

const { check, subject } = defineChecks(1);
const { createSearchServer } = await subject<SearchModule>('search-server.ts');

async function start(options: Parameters<typeof countingLookup>[0] = 0, extra: { now?: () => number } = {}) {
  const upstream = countingLookup(options);
  const slow: Array<{ query: string; ms: number }> = [];
  const server = createSearchServer({
    lookup: upstream.lookup,
    logSlow: (query, ms) => slow.push({ query, ms }),
    ...extra,
  });
  const client = await connect(server);
  return { client, upstream, slow, search: (query: unknown) => callTool(client, 'search', { query }) };
}

check('answers-queries', async () => {
  const { search } = await start();
  const result = await search('mcp servers');
  expect(result.isError, result.text).toBe(false);
  expect(result.text).toBe('results for mcp servers');
});

check('validates-first', async () => {
  const { search, upstream } = await start();
  for (const blank of ['', '   ']) {
    const result = await search(blank);
    expect(result.isError, `a query of ${JSON.stringify(blank)} should be an error`).toBe(true);
  }
  expect(upstream.calls, 'blank queries must be rejected before the lookup runs').toEqual([]);
});

check('caches-repeats', async () => {
  const { search, upstream } = await start();
  for (let i = 0; i < 5; i++) expect((await search('alpha')).text).toBe('results for alpha');
  await search('beta');
  await search('alpha');
  expect(upstream.calls, 'each distinct query should reach the lookup once').toEqual(['alpha', 'beta']);
});

check('expires-after-300s', async () => {
  const clock = manualClock();
  const { search, upstream } = await start(0, { now: clock.now });
  await search('alpha');
  // Real pauses between clock moves, so a cache that reads the clock at most
  // once per millisecond (lru-cache's default) still sees each move.
  clock.advance(299_000);
  await sleep(5);
  await search('alpha');
  expect(upstream.calls.length, 'at 299 s the answer should still come from the cache').toBe(1);
  clock.advance(2_000);
  await sleep(5);
  await search('alpha');
  expect(upstream.calls.length, 'at 301 s the cached answer has expired and must be looked up again').toBe(2);
});

check('logs-slow-lookups', async () => {
  const { search, slow } = await start((query) => (query === 'slow' ? 80 : 0));
  await search('fast');
  await search('slow');
  expect(slow.map((s) => s.query), 'only the 80 ms lookup should be logged').toEqual(['slow']);
  expect(slow[0]!.ms, 'the logged duration should be the awaited lookup (80 ms)').toBeGreaterThanOrEqual(70);
});

check('reports-status', async () => {
  const { client, search, upstream } = await start();
  for (const query of ['a', 'b', 'a', 'a', 'c']) await search(query);
  const status = await callTool(client, 'status');
  expect(status.isError, status.text).toBe(false);
  const report = JSON.parse(status.text) as { cache?: { size?: number; hits?: number; misses?: number } };
  const lookups = upstream.calls.length;
  expect(report.cache, 'status should report { cache: { size, hits, misses } }').toEqual({
    size: new Set(upstream.calls).size,
    hits: 5 - lookups,
    misses: lookups,
  });
});
