// Chapter 9's grading: its checks with hints, its metrics with targets,
// and what its starter must fail. workbook/manifest.ts lists it.
import type { ChapterSpec } from '../../../workbook/types.ts';

export default {
  number: 9,
  slug: '09-profiling-and-debugging',
  title: 'Profiling and Debugging',
  summary:
    'A span profiler that attributes every span to its own call across await, at under 5 % overhead and in bounded memory, exports to Perfetto, and a slow search tool whose hot function a CPU profile finds.',
  files: ['profiler.ts', 'trace-export.ts', 'search-tool.ts'],
  checks: [
    {
      id: 'ends-with-its-call',
      title: 'a span is counted, timed and published by the time its call returns',
      hint: 'When does your span end: when the function returns, or in a task scheduled for later? A deferred end reads the clock after other work has run, and a report read right after the call does not see it. End it in the same turn: right after a synchronous fn returns, or in the .then of its promise.',
    },
    {
      id: 'keeps-sync-calls-sync',
      title: 'a span around a synchronous function returns its value (or throws its error) synchronously',
      hint: 'Does span() need to await anything? One thread runs your JavaScript, so the profiler’s maps need no lock; a lock makes every span async and every instrumented function return a promise. Call fn, look at what it returned, and only chain on it when it is a promise.',
    },
    {
      id: 'nests-across-await',
      title: 'spans nest by call across await: request → db → decode, then render under request',
      hint: 'The current span must be whatever span the calling code runs in, before and after each await. Is a finished span still “current” because its end has not run yet?',
    },
    {
      id: 'attributes-interleaved-calls',
      title: '100 interleaved calls: every span’s parent and trace is its own call’s',
      hint: 'A module-level “current span” (a stack, a variable) is shared by every request in flight: the next request to run pushes onto the same stack. AsyncLocalStorage keeps one value per async call chain: run(span, fn) and read getStore().',
    },
    {
      id: 'percentiles-per-name',
      title: 'per span name: count, total, p50 / p95 / p99 within 5 %, max; the most total time first',
      hint: 'Record each duration into a histogram per name (perf_hooks.createHistogram() records integers: use nanoseconds) and ask it for percentiles. Keep count, total and max beside it.',
    },
    {
      id: 'recent-spans-bounded',
      title: 'recentSpans() keeps only the last `recentSpans` spans, oldest first',
      hint: 'Keeping every span for the trace export is a leak with a nice name. Keep a ring of the last N: overwrite the oldest slot, and read from the write position round to it.',
    },
    {
      id: 'exports-chrome-trace',
      title: 'the Chrome trace has microsecond times and properly nested tracks: one per call, more for parallel children',
      hint: 'The Trace Event Format counts ts and dur in microseconds. And a viewer draws a track (pid, tid) as a stack of nested bars: calls that overlap in time cannot share one, and neither can two children of one call that run at once (a Promise.all). Give each trace its own tid, and a spare track to a span that does not fit inside the one before it.',
    },
    {
      id: 'search-ranks-by-tf-idf',
      title: 'search returns the TF-IDF ranking of 8 seeded queries over 300 documents',
      hint: 'Your results must not change while you make search fast: same scores (summing in another order is fine), best first, ties by id, at most `limit`, nothing for a query no document matches.',
    },
  ],
  metrics: [
    {
      id: 'misattributed-spans',
      title: 'spans attributed to the wrong call, of 400 from 100 interleaved calls',
      kind: 'count',
      unit: 'spans',
      target: { stat: 'value', op: '<=', value: 0 },
      hint: 'Every span started inside a request must name that request as its trace, and its enclosing span as its parent. A shared “current span” gives them to whichever request ran last.',
      source: 'counted from recentSpans() after 100 calls interleaved by a seeded schedule',
    },
    {
      id: 'span-overhead',
      title: 'profiler overhead on a 1 ms tool call with 4 spans',
      kind: 'ratio',
      unit: '%',
      target: { stat: 'median', op: '<', value: 5 },
      hint: 'A span should cost about a microsecond: two clock reads, a histogram record, a slot in a ring. Sorting, copying or serialising on every span end costs more than the call it measures.',
      source: 'issue: overhead < 5 % on a 1 ms call; what 4 spans add to an empty call (median of 41 interleaved rounds, profiled − bare) ÷ the 1 ms call, both on the loop thread’s own clock',
      guardRail: true,
    },
    {
      id: 'profiler-retained',
      title: 'memory a profiler retains after 200 000 spans',
      kind: 'bytes',
      unit: 'MB',
      target: { stat: 'value', op: '<=', value: 4 },
      hint: 'Memory must not grow with the number of spans: a histogram per name (fixed size) and a ring of the last 10 000 spans, not a list of every one.',
      source: 'read after global.gc(), heap + external; 200 000 spans over 20 names, default recentSpans (10 000)',
    },
    {
      id: 'document-reads-per-search',
      title: 'corpus documents read per search ÷ documents in the corpus',
      kind: 'count',
      unit: '× corpus',
      target: { stat: 'value', op: '<=', value: 10 },
      hint: 'Hundreds means something reads the whole corpus once per document: a quadratic hiding in a helper. Which function does the flame graph put on top? Compute what depends only on the term once per term (or once, at start-up), not once per document.',
      source: 'counted by the corpus the checks hand to createSearchTool; reads at creation are not counted',
    },
    {
      id: 'search-cpu-vs-scan',
      title: 'CPU time of one search ÷ one pass over the corpus',
      kind: 'ratio',
      unit: '×',
      target: { stat: 'median', op: '<=', value: 20 },
      hint: 'A search should cost about one look at each document, or less with an index. Hundreds of passes means a loop inside a loop over the corpus: the profile names the function.',
      source: 'median of interleaved rounds on the loop thread’s own CPU clock; the pass checks each query term in each document once',
    },
  ],
  starterFails: {
    'ends-with-its-call': 'the starter hands a span’s end to setImmediate, like the guide’s Drop spawning end_span: it lands after the call returned, and reads the clock late',
    'keeps-sync-calls-sync': 'the starter takes a lock per span, so span() is async and a synchronous function returns a promise',
    'nests-across-await': 'a finished span stays on the starter’s stack until its deferred end runs, so the next sibling becomes its child',
    'attributes-interleaved-calls': 'the starter keeps the current span on one module-level stack shared by every call in flight',
    'recent-spans-bounded': 'the starter keeps every span it ever finished',
    'exports-chrome-trace': 'the starter writes milliseconds where the format wants microseconds, and puts every call on one track',
    'misattributed-spans': 'interleaved calls push onto and pop from one shared stack',
    'profiler-retained': 'every duration and every span record is kept forever',
    'document-reads-per-search': 'inverseDocumentFrequency reads the whole corpus for every document and term',
    'search-cpu-vs-scan': 'the same quadratic: hundreds of passes over the corpus per search',
  },
} satisfies ChapterSpec;
