// Chapter 2's grading: its checks with hints, its metrics with targets,
// and what its starter must fail. workbook/manifest.ts lists it.
import type { ChapterSpec } from '../../../workbook/types.ts';

export default {
  number: 2,
  slug: '02-benchmarking-and-metrics',
  title: 'Benchmarking and Metrics',
  summary:
    'A metrics collector that reports true percentiles and a real per-minute rate in bounded memory, cheaply enough to call on every request, and a benchmark of it you can believe.',
  files: ['metrics.ts', 'record-benchmark.ts'],
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
    {
      id: 'a-day-of-traffic',
      title: 'after 10⁶ requests over 24 h, every tool’s count and errors are exact',
      hint: 'Whatever you prune to keep memory bounded (old seconds, old samples), the totals must survive it.',
    },
    {
      id: 'benchmark-warms-up',
      title: 'your benchmark runs each function ≥ 1 000 times before it times one',
      hint: 'The first calls of a function run before the JIT has compiled it, and time lazy set-up too. tinybench warms up when you let it: warmup: true with warmupIterations (or warmupTime).',
    },
    {
      id: 'benchmark-enough-samples',
      title: 'your benchmark times every task at least 100 times',
      hint: 'A percentile of 10 samples is one of those 10 samples. Ask tinybench for iterations ≥ 100 (time: 0 makes the count the only stopping rule).',
    },
    {
      id: 'benchmark-same-run-baseline',
      title: 'your benchmark times a baseline in the same run as the subject',
      hint: 'A number on its own measures the machine as much as the code. Add the baseline as a second task of the same Bench, so both are timed under the same conditions.',
    },
    {
      id: 'benchmark-overhead',
      title: 'overhead() reports subject ÷ baseline within 1.5× of the truth',
      hint: 'Divide the subject’s median (result.latency.p50) by the baseline’s, from the same bench. Not the mean of one task, not a throughput.',
    },
  ],
  metrics: [
    {
      id: 'retained-after-1m',
      title: 'memory retained after 10⁶ records over 24 h',
      kind: 'bytes',
      unit: 'MB',
      target: { stat: 'value', op: '<', value: 2 },
      hint: 'Memory must not grow with the number of requests. Keep a histogram and per-second counters, not every sample.',
      source: 'reported by the a-day-of-traffic check: heap + external after global.gc(), plus the native memory of the perf_hooks histograms still alive',
    },
    {
      id: 'record-overhead',
      title: 'record() cost ÷ a Map-counter baseline',
      kind: 'ratio',
      unit: '×',
      // The starter's push onto an ever-growing array reads 5-25× on a
      // busy machine (its growth makes the GC swing the figure); a sort or a
      // filter per call over 1 000 entries reads about 90×, over 2 000 about 170×.
      target: { stat: 'median', op: '<=', value: 50 },
      hint: 'record() runs on every request: keep it O(1). No sorting, no filtering of a list, no allocation per call.',
      source: 'median of interleaved rounds against a baseline in the same run',
      guardRail: true,
    },
  ],
  starterFails: {
    'percentiles-accurate': 'the starter estimates percentiles as mean + z·σ, which a two-humped latency distribution breaks',
    'window-rate': 'the starter compares request durations with the window instead of arrival times',
    'retained-after-1m': 'the starter keeps every sample it ever saw',
    'benchmark-warms-up': 'the starter’s benchmark sets warmup: false, so its first samples time code the JIT has not compiled',
    'benchmark-enough-samples': 'the starter’s benchmark takes 10 samples',
    'benchmark-same-run-baseline': 'the starter’s benchmark times record() alone, with nothing to compare it to',
    'benchmark-overhead': 'the starter reports the mean time of one call, in ms, not a ratio to the baseline',
  },
} satisfies ChapterSpec;
