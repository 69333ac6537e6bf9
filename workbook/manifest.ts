// The one list of chapters. The CLI, the checks, the benches and the site all
// read it. Adding a chapter: a folder in chapters/, its twin in solutions/,
// test/chapters/NN-slug.check.ts, bench/NN-slug.bench.ts and one entry here.
import type { ChapterSpec } from './types.ts';

export const chapters: ChapterSpec[] = [
  {
    number: 1,
    slug: '01-performance-philosophy',
    title: 'Performance Philosophy',
    summary:
      'A query tool that validates first, answers repeats from a cache with a 300 s TTL, and logs its slow lookups.',
    files: ['search-server.ts'],
    checks: [
      {
        id: 'answers-queries',
        title: 'search returns the upstream answer for a query',
        hint: 'Call deps.lookup(query) and return its text as the tool result: { content: [{ type: "text", text }] }.',
      },
      {
        id: 'validates-first',
        title: 'a blank query is rejected before any lookup runs',
        hint: 'Which line runs first in your handler: the lookup or the check for an empty query? A bad request should cost nothing. A zod schema on inputSchema (z.string().trim().min(1)) rejects it before your handler is even called.',
      },
      {
        id: 'caches-repeats',
        title: 'a repeated query is answered from the cache',
        hint: 'Look in the cache before calling deps.lookup, and store the answer after it. Is anything ever read back from your cache?',
      },
      {
        id: 'expires-after-300s',
        title: 'cached answers expire after 300 s (read from deps.now)',
        hint: 'An entry needs an expiry time. lru-cache takes `ttl` and a `perf: { now }` option, so it can read the clock you were given in deps.now.',
      },
      {
        id: 'logs-slow-lookups',
        title: 'lookups slower than 50 ms are logged, fast ones are not',
        hint: 'What are you timing? A promise that has not been awaited yet finishes in no time at all. Take the end time after `await`.',
      },
      {
        id: 'reports-status',
        title: 'status reports cache size, hits and misses',
        hint: 'Count hits and misses where you read the cache, and return them from the status tool as JSON text.',
      },
    ],
    metrics: [
      {
        id: 'repeat-hit-rate',
        title: 'cache hit rate on repeated queries',
        kind: 'ratio',
        unit: '',
        target: { stat: 'value', op: '>=', value: 0.95 },
        hint: 'Every repeated query should be a hit. If this is 0, nothing is read from the cache before the lookup runs.',
        source: 'counted: lookups made while replaying queries already seen',
      },
      {
        id: 'cached-vs-uncached',
        title: 'cached ÷ uncached median latency',
        kind: 'ratio',
        unit: '×',
        target: { stat: 'value', op: '<=', value: 0.25 },
        hint: 'A cached answer should cost a small fraction of a lookup. Near 1.0 means the cache is not in the path.',
        source: 'both measured in the same run, so machine load cancels out',
      },
      {
        id: 'cached-latency',
        title: 'cached search latency',
        kind: 'latency',
        unit: 'ms',
        target: { stat: 'p95', op: '<', value: 50 },
        hint: 'A cached query should never wait on the upstream lookup (it takes 60 ms here).',
        source: 'guide: query tools < 50 ms cached',
      },
      {
        id: 'uncached-latency',
        title: 'uncached search latency',
        kind: 'latency',
        unit: 'ms',
        target: { stat: 'p95', op: '<', value: 200 },
        hint: 'An uncached query should cost one lookup (60 ms here) and little else.',
        source: 'guide: query tools < 200 ms uncached',
      },
      {
        id: 'status-latency',
        title: 'status latency',
        kind: 'latency',
        unit: 'ms',
        target: { stat: 'p95', op: '<', value: 10 },
        hint: 'The status tool should read counters it already has, not compute anything.',
        source: 'guide: status tools < 10 ms in memory',
      },
    ],
    starterFails: {
      'validates-first': 'the starter calls the lookup before it checks the query',
      'caches-repeats': 'the starter writes to its cache but never reads from it',
      'expires-after-300s': 'the starter’s Map never forgets an answer',
      'logs-slow-lookups': 'the starter times the un-awaited promise, so every lookup looks instant',
      'repeat-hit-rate': 'every repeated query goes to the upstream lookup',
      'cached-vs-uncached': 'cached and uncached queries cost the same',
      'cached-latency': 'a “cached” query still waits 60 ms for the lookup',
    },
  },
  {
    number: 2,
    slug: '02-benchmarking-and-metrics',
    title: 'Benchmarking and Metrics',
    summary:
      'A metrics collector that reports true percentiles and a real per-minute rate in bounded memory, cheaply enough to call on every request.',
    files: ['metrics.ts'],
    checks: [
      {
        id: 'counts-outcomes',
        title: 'counts requests, errors and the success rate per tool',
        hint: 'Keep a count and an error count per tool name; successRate is (count − errors) ÷ count, and 1 when there were no requests.',
      },
      {
        id: 'percentiles-accurate',
        title: 'p50 / p95 / p99 of a known distribution within 5 %',
        hint: 'Latency is not normally distributed: a cache hit and a miss make two humps. mean + 1.645·σ is not a p95. Record into a histogram (perf_hooks.createHistogram() is built in) and ask it for percentiles.',
      },
      {
        id: 'window-rate',
        title: 'ratePerMinute counts only requests from the last 60 s',
        hint: 'Which number are you comparing with the window: when the request happened, or how long it took? Bucket requests by the second they arrived in.',
      },
      {
        id: 'cache-hit-rate',
        title: 'cache hit rate from hits and misses',
        hint: 'hits ÷ (hits + misses), and 0 before anything was recorded.',
      },
      {
        id: 'unknown-tool',
        title: 'a tool with no requests has no snapshot',
        hint: 'snapshot(tool) should return undefined for a tool that never recorded anything.',
      },
    ],
    metrics: [
      {
        id: 'retained-after-1m',
        title: 'memory retained after 10⁶ records',
        kind: 'bytes',
        unit: 'MB',
        target: { stat: 'value', op: '<', value: 2 },
        hint: 'Memory must not grow with the number of requests. Keep a histogram and per-second counters, not every sample.',
        source: 'read after global.gc(), heap + external + array buffers',
      },
      {
        id: 'record-overhead',
        title: 'record() cost ÷ a Map-counter baseline',
        kind: 'ratio',
        unit: '×',
        target: { stat: 'median', op: '<=', value: 25 },
        hint: 'record() runs on every request: keep it O(1). No sorting, no filtering of a list, no allocation per call.',
        source: 'median of interleaved rounds against a baseline in the same run',
      },
    ],
    starterFails: {
      'percentiles-accurate': 'the starter estimates percentiles as mean + z·σ, which a two-humped latency distribution breaks',
      'window-rate': 'the starter compares request durations with the window instead of arrival times',
      'retained-after-1m': 'the starter keeps every sample it ever saw',
    },
  },
];

/** Chapters of the guide still to be written, shown in listings so the path ahead is visible. */
export const plannedChapters: Array<{ number: number; title: string }> = [
  { number: 3, title: 'Async Optimization' },
  { number: 4, title: 'Memory Management' },
  { number: 5, title: 'Database Performance' },
  { number: 6, title: 'Caching Strategies' },
  { number: 7, title: 'Network Optimization' },
  { number: 8, title: 'Resource Management' },
  { number: 9, title: 'Profiling and Debugging' },
  { number: 10, title: 'Production Optimization' },
];
