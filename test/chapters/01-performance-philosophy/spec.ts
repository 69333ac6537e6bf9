// Chapter 1's grading: its checks with hints, its metrics with targets,
// and what its starter must fail. workbook/manifest.ts lists it.
import type { ChapterSpec } from '../../../workbook/types.ts';

export default {
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
      id: 'cache-stays-bounded',
      title: 'many distinct queries leave the cache no larger than deps.maxEntries',
      hint: 'Every distinct query adds an entry. What removes one before the 300 s are up? Give the cache a size limit (lru-cache: `max`; deps.maxEntries when given) so the oldest answer makes room for the newest.',
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
      source: 'counted by the instrumented lookup while the caches-repeats check replays queries already seen',
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
      guardRail: true,
    },
    {
      id: 'status-latency',
      title: 'status latency',
      kind: 'latency',
      unit: 'ms',
      target: { stat: 'p95', op: '<', value: 10 },
      hint: 'The status tool should read counters it already has, not compute anything.',
      source: 'guide: status tools < 10 ms in memory',
      guardRail: true,
    },
  ],
  starterFails: {
    'validates-first': 'the starter calls the lookup before it checks the query',
    'caches-repeats': 'the starter writes to its cache but never reads from it',
    'expires-after-300s': 'the starter’s Map never forgets an answer',
    'cache-stays-bounded': 'the starter’s Map grows by one entry per distinct query, forever',
    'logs-slow-lookups': 'the starter times the un-awaited promise, so every lookup looks instant',
    'repeat-hit-rate': 'every repeated query goes to the upstream lookup',
    'cached-vs-uncached': 'cached and uncached queries cost the same',
    'cached-latency': 'a “cached” query still waits 60 ms for the lookup',
  },
} satisfies ChapterSpec;
