import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { defineChecks } from '../../../workbook/authoring/define-checks.ts';
import { collectGarbage, liveBytes } from '../../../workbook/authoring/memory.ts';
import { inputs } from '../../support/random.ts';
import { callTool, connect } from '../../support/mcp.ts';
import { answerFor, countingLookup, manualClock, type LookupOptions } from './fakes.ts';

type SearchModule = typeof import('../../../solutions/01-performance-philosophy/search-server.ts');

const { check, subject } = defineChecks(1);
const { createSearchServer } = await subject<SearchModule>('search-server.ts');
// Queries, delays and sizes are new every run (replay one with WORKBOOK_SEED).
const input = inputs();
const seeded = (message: string) => `${message} (inputs from seed ${input.seed})`;

interface StartOptions extends LookupOptions {
  delayMs?: number | ((query: string) => number);
  now?: () => number;
  maxEntries?: number;
}

async function start({ delayMs = 0, answerBytes, now, maxEntries }: StartOptions = {}) {
  const upstream = countingLookup(delayMs, { answerBytes });
  const slow: Array<{ query: string; ms: number }> = [];
  const server = createSearchServer({
    lookup: upstream.lookup,
    logSlow: (query, ms) => slow.push({ query, ms }),
    ...(now ? { now } : {}),
    ...(maxEntries ? { maxEntries } : {}),
  });
  const client = await connect(server);
  const search = (query: unknown) => callTool(client, 'search', { query });
  const status = async () => {
    const result = await callTool(client, 'status');
    expect(result.isError, result.text).toBe(false);
    return JSON.parse(result.text) as { cache?: { size?: number; hits?: number; misses?: number } };
  };
  return { client, upstream, slow, search, status };
}

check('answers-queries', async () => {
  const { search } = await start();
  for (const query of input.distinctPhrases(3)) {
    const result = await search(query);
    expect(result.isError, result.text).toBe(false);
    expect(result.text, seeded('the upstream answer for the query asked')).toBe(answerFor(query));
  }
});

check('validates-first', async () => {
  const { search, upstream } = await start();
  const blanks = ['', ...Array.from({ length: 4 }, () => input.blank() || ' ')];
  for (const blank of blanks) {
    const result = await search(blank);
    expect(result.isError, `a query of ${JSON.stringify(blank)} should be an error`).toBe(true);
  }
  expect(upstream.calls, 'blank queries must be rejected before the lookup runs').toEqual([]);
});

check('caches-repeats', async ({ report }) => {
  const { search, upstream } = await start();
  const queries = input.distinctPhrases(input.int(8, 16));
  // Every query once, then a long random mix of repeats: what a real tool sees.
  const asked = [...queries, ...Array.from({ length: 150 }, () => input.pick(queries))];
  for (const query of asked) {
    expect((await search(query)).text, seeded('the answer for a repeated query')).toBe(answerFor(query));
  }
  const repeats = asked.length - queries.length;
  const extraLookups = upstream.calls.length - queries.length;
  report({
    id: 'repeat-hit-rate',
    value: 1 - Math.max(0, extraLookups) / repeats,
    detail: `${repeats} repeats of ${queries.length} queries caused ${Math.max(0, extraLookups)} lookups`,
  });
  expect(upstream.calls, seeded('each distinct query should reach the lookup once')).toEqual(queries);
});

check('expires-after-300s', async () => {
  const clock = manualClock(input.int(1_000, 1e9));
  const { search, upstream } = await start({ now: clock.now });
  const [query] = input.distinctPhrases(1);
  await search(query);
  // Real pauses between clock moves, so a cache that reads the clock at most
  // once per millisecond (lru-cache's default) still sees each move.
  const early = input.int(1_000, 9_000);
  clock.advance(300_000 - early);
  await sleep(5);
  await search(query);
  expect(upstream.calls.length, `at ${(300 - early / 1000).toFixed(1)} s the answer should still come from the cache`).toBe(1);
  const late = input.int(1_000, 9_000);
  clock.advance(early + late);
  await sleep(5);
  await search(query);
  expect(upstream.calls.length, `at ${(300 + late / 1000).toFixed(1)} s the cached answer has expired and must be looked up again`).toBe(2);
});

check('cache-stays-bounded', async () => {
  // A cache sized by deps.maxEntries, then four times as many distinct
  // queries: its entry count (from status) and its weight must stop growing.
  const bound = input.int(60, 120);
  const answerBytes = 16_384;
  const { search, upstream, status } = await start({ maxEntries: bound, answerBytes });
  const queries = input.distinctPhrases(bound * 4);
  for (const query of queries.slice(0, bound)) await search(query);
  collectGarbage();
  const before = liveBytes();
  for (const query of queries.slice(bound)) await search(query);
  collectGarbage();
  const grew = Math.max(0, liveBytes() - before);
  const extraAnswers = bound * 3;
  const reported = (await status()).cache?.size;

  expect(reported, `cached entries reported by status after ${queries.length} distinct queries with maxEntries ${bound}`).toBeLessThanOrEqual(bound);
  // An unbounded cache keeps every extra answer (16 KB each); a bounded one
  // swaps old answers for new and weighs about the same as before.
  expect(
    grew,
    `bytes the server kept while ${extraAnswers} more distinct queries (16 KB answers) went through a cache of ${bound}: ` +
      `${(grew / 1e6).toFixed(2)} MB, where keeping them all would be ${((extraAnswers * answerBytes) / 1e6).toFixed(1)} MB`,
  ).toBeLessThan((extraAnswers * answerBytes) / 4);
  // Bounded must still mean cached: the newest answer is served from the cache.
  const lookups = upstream.calls.length;
  await search(queries.at(-1)!);
  expect(upstream.calls.length, 'the most recent query, asked again, should be a cache hit').toBe(lookups);
}, { timeout: 15_000 });

check('logs-slow-lookups', async () => {
  const [fast, slowQuery, alsoFast] = input.distinctPhrases(3);
  const slowMs = input.int(75, 95);
  const { search, slow } = await start({ delayMs: (query) => (query === slowQuery ? slowMs : 0) });
  await search(fast);
  await search(slowQuery);
  await search(alsoFast);
  expect(slow.map((s) => s.query), `only the ${slowMs} ms lookup should be logged`).toEqual([slowQuery]);
  expect(slow[0]!.ms, `the logged duration should be the awaited lookup (${slowMs} ms)`).toBeGreaterThanOrEqual(slowMs - 10);
});

check('reports-status', async () => {
  const { search, upstream, status } = await start();
  const queries = input.distinctPhrases(input.int(3, 6));
  const asked = [...queries, ...Array.from({ length: input.int(5, 20) }, () => input.pick(queries))];
  for (const query of input.shuffle(asked)) await search(query);
  const report = await status();
  const lookups = upstream.calls.length;
  expect(report.cache, seeded('status should report { cache: { size, hits, misses } }')).toEqual({
    size: new Set(upstream.calls).size,
    hits: asked.length - lookups,
    misses: lookups,
  });
});
