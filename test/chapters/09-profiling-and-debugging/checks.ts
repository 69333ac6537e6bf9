import diagnostics_channel from 'node:diagnostics_channel';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { defineChecks } from '../../../workbook/authoring/define-checks.ts';
import { quantile } from '../../../workbook/authoring/stats.ts';
import { bimodalLatencies, seededRandom } from '../../support/random.ts';
import { countingCorpus, expectedHits, rankingProblem, sampleDocuments, sampleQueries } from './corpus.ts';
import { readTrace } from './trace-reader.ts';

type ProfilerModule = typeof import('../../../solutions/09-profiling-and-debugging/profiler.ts');
type TraceModule = typeof import('../../../solutions/09-profiling-and-debugging/trace-export.ts');
type SearchModule = typeof import('../../../solutions/09-profiling-and-debugging/search-tool.ts');
type SpanRecord = import('../../../solutions/09-profiling-and-debugging/profiler.ts').SpanRecord;

const { check, subject } = defineChecks(9);
const { Profiler, SPAN_CHANNEL } = await subject<ProfilerModule>('profiler.ts');
const { toChromeTrace } = await subject<TraceModule>('trace-export.ts');
const { createSearchTool } = await subject<SearchModule>('search-tool.ts');

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await nextTurn();
};
/** A clock the check moves by hand, in ms. */
function manualClock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}
/** A profiler that answers with a promise where a value was expected must not leave a rejection unhandled. */
function quietly(value: unknown): void {
  if (value instanceof Promise) value.catch(() => {});
}
/**
 * Checks about one thing at a time: give bookkeeping that a profiler defers a
 * moment to land before reading it (only ends-with-its-call is about when it lands).
 */
const settleDeferred = () => sleep(5);

// ── spans ──────────────────────────────────────────────────────────────────

check('ends-with-its-call', async () => {
  const clock = manualClock();
  const profiler = new Profiler({ now: clock.now });
  const heard: SpanRecord[] = [];
  const listen = (message: unknown) => heard.push(message as SpanRecord);
  diagnostics_channel.subscribe(SPAN_CHANNEL, listen);
  try {
    await profiler.span('fetch', async () => {
      await nextTurn();
      clock.advance(5);
    });
    const now = profiler.report().find((s) => s.name === 'fetch');
    expect(now?.count, 'spans named "fetch" in report() as soon as the call has returned').toBe(1);
    expect(heard.map((s) => s.name), `records published on "${SPAN_CHANNEL}" by then`).toEqual(['fetch']);
    expect(heard[0]!.durationMs, 'the published duration, in ms of the injected clock').toBe(5);

    // Whatever runs after the call must not stretch it.
    clock.advance(100);
    await settleDeferred();
    expect(profiler.report().find((s) => s.name === 'fetch')?.maxMs, 'ms the 5 ms span is said to have taken, once the clock moved on').toBe(5);

    // A synchronous span ends before the next statement runs.
    quietly(profiler.span('parse', () => clock.advance(3)));
    const parse = profiler.report().find((s) => s.name === 'parse');
    clock.advance(50); // the caller's next statement
    await settleDeferred();
    expect(parse?.count, 'spans named "parse" in report() on the line after a synchronous span() returned').toBe(1);
    expect(profiler.report().find((s) => s.name === 'parse')?.maxMs, 'ms the 3 ms synchronous span is said to have taken').toBe(3);

    const failure = new Error('upstream said no');
    await expect(
      profiler.span('fail', async () => {
        clock.advance(2);
        throw failure;
      }),
      'a rejected call rejects with its own error',
    ).rejects.toBe(failure);
    const failed = profiler.report().find((s) => s.name === 'fail');
    expect({ count: failed?.count, errors: failed?.errors }, 'a failed span, right after its call rejected').toEqual({ count: 1, errors: 1 });
  } finally {
    diagnostics_channel.unsubscribe(SPAN_CHANNEL, listen);
  }
});

check('keeps-sync-calls-sync', async () => {
  const profiler = new Profiler();
  const value = profiler.span('parse', () => 42);
  quietly(value);
  expect(value, 'what span() returns for a synchronous function that returns 42').toBe(42);

  const invalid = new Error('bad input');
  let thrown: unknown;
  try {
    quietly(
      profiler.span('validate', () => {
        throw invalid;
      }),
    );
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'a synchronous throw must reach the caller as a throw, the same error').toBe(invalid);

  const asynchronous = profiler.span('load', async () => 'loaded');
  expect(asynchronous, 'an async function still returns a promise').toBeInstanceOf(Promise);
  await expect(asynchronous).resolves.toBe('loaded');
  await settleDeferred();
  const validate = profiler.report().find((s) => s.name === 'validate');
  expect({ count: validate?.count, errors: validate?.errors }, 'the span around the throw is still recorded').toEqual({ count: 1, errors: 1 });
});

check('nests-across-await', async () => {
  const profiler = new Profiler();
  const seen: Record<string, string | undefined> = {};
  await profiler.span('request', async () => {
    seen.request = profiler.current()?.name;
    await profiler.span('db', async () => {
      await nextTurn();
      await profiler.span('decode', async () => {
        await sleep(1);
        seen.decode = profiler.current()?.name;
      });
      seen.db = profiler.current()?.name;
    });
    seen['request after db'] = profiler.current()?.name;
    await profiler.span('render', () => {
      seen.render = profiler.current()?.name;
    });
  });
  seen.outside = profiler.current()?.name;
  const expectedCurrent: Record<string, string | undefined> = {
    request: 'request',
    decode: 'decode',
    db: 'db',
    'request after db': 'request',
    render: 'render',
    outside: undefined,
  };
  for (const [where, name] of Object.entries(expectedCurrent)) {
    expect(seen[where], `profiler.current()?.name ${where === 'outside' ? 'after the request' : `in ${where}`}`).toBe(name);
  }

  await settleDeferred();
  const spans = profiler.recentSpans();
  const byName = new Map(spans.map((s) => [s.name, s]));
  const nameOf = (id: number | null) => (id === null ? null : (spans.find((s) => s.id === id)?.name ?? `unknown span ${id}`));
  const request = byName.get('request');
  const expectedParent: Record<string, string | null> = { request: null, db: 'request', decode: 'db', render: 'request' };
  expect(spans.map((s) => s.name).sort(), 'spans recorded').toEqual(Object.keys(expectedParent).sort());
  for (const span of spans) {
    expect(nameOf(span.parentId), `the parent of "${span.name}"`).toBe(expectedParent[span.name]);
    expect(nameOf(span.traceId), `the trace of "${span.name}"`).toBe('request');
  }
  expect(request?.traceId).toBe(request?.id);
});

check('attributes-interleaved-calls', async ({ report }) => {
  const CALLS = 100;
  const random = seededRandom(9);
  // A seeded schedule of loop turns, so calls interleave the same way every run.
  const plan = range(CALLS).map(() => range(4).map(() => Math.floor(random() * 4)));
  const profiler = new Profiler();
  let wrongCurrent = 0;
  const expectCurrent = (name: string) => {
    if (profiler.current()?.name !== name) wrongCurrent++;
  };
  await Promise.all(
    range(CALLS).map((i) =>
      profiler.span(`request-${i}`, async () => {
        const [a, b, c, d] = plan[i]!;
        await turns(a!);
        await profiler.span(`db-${i}`, async () => {
          await turns(b!);
          await profiler.span(`decode-${i}`, async () => {
            await turns(c!);
            expectCurrent(`decode-${i}`);
          });
          expectCurrent(`db-${i}`);
        });
        await turns(d!);
        await profiler.span(`render-${i}`, () => expectCurrent(`render-${i}`));
      }),
    ),
  );
  await settleDeferred();

  const spans = profiler.recentSpans();
  const byId = new Map(spans.map((s) => [s.id, s]));
  const wrong: string[] = [];
  for (const span of spans) {
    const [kind, call] = span.name.split('-');
    const parents: Record<string, string | null> = { request: null, db: `request-${call}`, decode: `db-${call}`, render: `request-${call}` };
    const expectedParent = kind! in parents ? parents[kind!] : '?';
    const parent = span.parentId === null ? null : (byId.get(span.parentId)?.name ?? `span ${span.parentId}`);
    const trace = byId.get(span.traceId)?.name ?? `span ${span.traceId}`;
    if (parent !== expectedParent || trace !== `request-${call}`) {
      wrong.push(`${span.name} under ${parent ?? 'nothing'} in ${trace}, not under ${expectedParent ?? 'nothing'} in request-${call}`);
    }
  }
  const missing = CALLS * 4 - spans.length;
  const misattributed = wrong.length + Math.max(0, missing);
  report({
    id: 'misattributed-spans',
    value: misattributed,
    detail: `${wrong.length} of ${spans.length} spans under the wrong call${missing > 0 ? `, ${missing} missing` : ''}; current() wrong ${wrongCurrent} times`,
  });
  expect(spans.length, `spans recorded from ${CALLS} calls of 4 spans`).toBe(CALLS * 4);
  expect(wrong[0] ?? 'none', `${wrong.length} of ${spans.length} spans attributed to the wrong call; the first`).toBe('none');
  expect(wrongCurrent, 'times profiler.current() named another call’s span').toBe(0);
});

check('percentiles-per-name', async () => {
  const clock = manualClock();
  const profiler = new Profiler({ now: clock.now });
  const latencies = bimodalLatencies(4_000, 17);
  for (const ms of latencies) {
    await profiler.span('search', () => clock.advance(ms));
    await nextTurn();
  }
  for (let i = 0; i < 200; i++) {
    await profiler.span('status', () => clock.advance(0.25 + (i % 5) * 0.1));
    await nextTurn();
  }
  await settleDeferred();
  const report = profiler.report();
  expect(report.map((s) => s.name), 'names, the most total time first').toEqual(['search', 'status']);
  const search = report[0]!;
  const sorted = [...latencies].sort((a, b) => a - b);
  const total = latencies.reduce((sum, ms) => sum + ms, 0);
  expect(search.count).toBe(latencies.length);
  expect(search.totalMs, 'total ms').toBeCloseTo(total, 3);
  for (const [field, q] of [['p50Ms', 0.5], ['p95Ms', 0.95], ['p99Ms', 0.99]] as const) {
    const truth = quantile(sorted, q);
    const error = Math.abs(search[field] - truth) / truth;
    expect(error, `${field} is ${search[field].toFixed(2)} ms, the true value ${truth.toFixed(2)} ms`).toBeLessThan(0.05);
  }
  expect(Math.abs(search.maxMs - sorted.at(-1)!) / sorted.at(-1)!, 'relative error of maxMs').toBeLessThan(0.01);
  expect(report[1]!.count).toBe(200);
}, { timeout: 10_000 });

check('recent-spans-bounded', async () => {
  const profiler = new Profiler({ recentSpans: 1_000 });
  const ids: number[] = [];
  for (let i = 0; i < 5_000; i++) {
    await profiler.span(`step-${i % 7}`, () => {
      ids.push(profiler.current()?.id ?? -1);
    });
  }
  await settleDeferred();
  const recent = profiler.recentSpans();
  expect(recent.length, 'spans kept with recentSpans: 1000, after 5000').toBe(1_000);
  expect(recent.map((s) => s.id), 'the last 1000 spans, oldest first').toEqual(ids.slice(-1_000));
});

// ── export ─────────────────────────────────────────────────────────────────

check('exports-chrome-trace', async () => {
  // Two calls that overlap in time, with known times (ms).
  const span = (id: number, parentId: number | null, traceId: number, name: string, startMs: number, durationMs: number): SpanRecord => ({
    id,
    parentId,
    traceId,
    name,
    startMs,
    durationMs,
    failed: false,
  });
  const spans = [
    span(1, null, 1, 'request', 100, 10),
    span(2, 1, 1, 'db', 101, 5),
    span(3, 2, 1, 'decode', 102, 2.5),
    span(5, null, 5, 'request', 103, 9),
    span(6, 5, 5, 'db', 104, 4),
    span(4, 1, 1, 'render', 106.25, 3),
    span(7, 5, 5, 'render', 108, 3.5),
    // A call whose two queries run at once (Promise.all): siblings that overlap.
    span(8, null, 8, 'request', 120, 6),
    span(9, 8, 8, 'db', 121, 3),
    span(10, 8, 8, 'db', 122, 3),
  ];
  const trace = readTrace(JSON.stringify(toChromeTrace(spans)));
  const bars = new Map(trace.bars.map((b) => [b.spanId, b]));
  expect([...bars.keys()].sort((a, b) => a - b), 'one bar per span, its spanId in args').toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect({ ts: bars.get(3)!.ts, dur: bars.get(3)!.dur }, 'span 3 (starts at 102 ms, lasts 2.5 ms) as ts and dur').toEqual({ ts: 102_000, dur: 2_500 });
  expect(bars.get(1)!.track === bars.get(5)!.track, 'the two calls overlap in time: do they share a track?').toBe(false);
  expect(trace.problems[0] ?? 'none', 'what a trace viewer would object to').toBe('none');

  // And from the profiler itself: 20 interleaved calls, each lasting a few ms.
  const profiler = new Profiler();
  await Promise.all(
    range(20).map((i) =>
      profiler.span('request', async () => {
        await sleep(i % 3);
        await profiler.span('db', () => sleep(1 + (i % 2)));
        await Promise.all([profiler.span('fetch', () => sleep(1)), profiler.span('fetch', () => turns(1 + (i % 3)))]);
        await profiler.span('render', () => turns(i % 4));
      }),
    ),
  );
  await settleDeferred();
  const recorded = profiler.recentSpans();
  const live = readTrace(JSON.stringify(toChromeTrace(recorded)));
  expect(live.problems[0] ?? 'none', 'exporting 20 interleaved calls, what a viewer would object to').toBe('none');
  expect(live.bars.length, 'bars for 100 spans').toBe(recorded.length);
});

// ── the slow tool ──────────────────────────────────────────────────────────

check('search-ranks-by-tf-idf', async ({ report }) => {
  const documents = sampleDocuments({ documents: 300 });
  const corpus = countingCorpus(documents);
  const tool = createSearchTool(corpus);
  const atCreation = corpus.reads;
  corpus.reset();
  const queries = sampleQueries(8);
  const problems: string[] = [];
  for (const query of queries) {
    const problem = rankingProblem(tool.search(query), expectedHits(documents, query));
    if (problem) problems.push(`"${query}": ${problem}`);
  }
  const perSearch = corpus.reads / queries.length;
  report({
    id: 'document-reads-per-search',
    value: perSearch / documents.length,
    detail: `${Math.round(perSearch).toLocaleString('en-US')} reads per search of ${documents.length} documents (${atCreation} when the tool was created)`,
  });
  const limited = tool.search(queries[0]!, 3);
  const limitedProblem = rankingProblem(limited, expectedHits(documents, queries[0]!, 3));
  if (limitedProblem) problems.push(`"${queries[0]}" with limit 3: ${limitedProblem}`);
  for (const query of ['', '   ', 'qqqzzz xxyyzz']) {
    if (tool.search(query).length > 0) problems.push(`"${query}" matches no document but returned hits`);
  }
  expect(problems, 'queries whose results differ from the TF-IDF ranking').toEqual([]);
}, { timeout: 15_000 });
