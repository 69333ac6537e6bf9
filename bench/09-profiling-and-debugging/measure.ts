// Chapter 9 scorecard: the profiler's overhead on a 1 ms call and the memory
// it keeps, the search tool's CPU time against one pass over its corpus, and
// a CPU profile of the search for the flame graph. Timings are ratios of
// interleaved rounds on the loop thread's own clock, so CPU time other
// programs take does not count; memory is read after forced collections.
import path from 'node:path';
import { createHistogram, performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { captureCpuProfile, mapToSources, saveProfile } from '../../workbook/profiles/capture.ts';
import { collapseProfile, frameLabel, hotFunctions, type CpuProfile, type Frame } from '../../workbook/profiles/flamegraph.ts';
import { defineMeasurements } from '../../workbook/authoring/define-measurements.ts';
import { interleavedRatios, median } from '../../workbook/authoring/stats.ts';
import { chapterDir, engineSetting, relative, root } from '../../workbook/paths.ts';
import { countingCorpus, sampleDocuments, sampleQueries, type Document } from '../../test/chapters/09-profiling-and-debugging/corpus.ts';
import { loopClock, ownTimeAvailable } from '../../test/support/thread-clock.ts';

type ProfilerModule = typeof import('../../solutions/09-profiling-and-debugging/profiler.ts');
type SearchModule = typeof import('../../solutions/09-profiling-and-debugging/search-tool.ts');

const OVERHEAD_ROUNDS = 41;
const EMPTY_CALLS = 100;
const RETAINED_SPANS = 200_000;
const RETAINED_BUDGET_MS = 10_000;
const SPAN_NAMES = Array.from({ length: 20 }, (_, i) => `stage-${i}`);
const SEARCH_DOCUMENTS = 400;
const PROFILE_BUDGET_MS = 400;
const PROFILE_WALL_CAP_MS = 3_000;

export default defineMeasurements(9, async ({ chapter, tree, subject, retainedBytes, report, progress }) => {
  const { Profiler } = await subject<ProfilerModule>('profiler.ts');
  const { createSearchTool } = await subject<SearchModule>('search-tool.ts');
  const clockNote = ownTimeAvailable ? 'the loop thread’s own clock' : 'the wall clock';

  progress('profiler overhead on a 1 ms call');
  {
    // #region overhead
    // One tool call, 4 spans: `tool` around parse → query → render, with an
    // await between each. Run bare (a pass-through span) it does 1 ms of
    // deterministic CPU work; run empty, it shows what the spans themselves
    // cost, far above the noise that a 0.2 % difference in a 1 ms call drowns in.
    const unitsPerMs = calibrateSpin();
    type Span = <T>(name: string, fn: () => T) => T;
    const toolCall = async (span: Span, ms: number) =>
      span('tool', async () => {
        let sum = await span('parse', () => spin(unitsPerMs * ms * 0.1));
        sum += await span('query', async () => {
          await null;
          return spin(unitsPerMs * ms * 0.7);
        });
        sum += await span('render', () => spin(unitsPerMs * ms * 0.2));
        sink ^= sum;
      });
    const profiler = new Profiler();
    const profiled: Span = (name, fn) => profiler.span(name, fn);
    const bare: Span = (_name, fn) => fn();
    const round = async (span: Span, calls: number, ms: number) => {
      const start = loopClock();
      for (let i = 0; i < calls; i++) await toolCall(span, ms);
      await nextTurn(); // work a profiler defers to the next turn is its cost too
      return loopClock() - start;
    };
    let warm = 0;
    for (let i = 0; i < 3; i++) {
      warm = await round(profiled, EMPTY_CALLS, 0); // warm-up: let the JIT settle
      await round(bare, EMPTY_CALLS, 0);
    }
    // Fewer calls a round for a profiler that costs milliseconds, so it is timed, not waited for.
    const calls = Math.max(5, Math.min(EMPTY_CALLS, Math.round((EMPTY_CALLS * 20) / Math.max(warm, 0.001))));
    const spanCosts: number[] = [];
    const callTimes: number[] = [];
    for (let r = 0; r < OVERHEAD_ROUNDS; r++) {
      // Alternate which side goes first; a burst of load hits both sides alike.
      const first = r % 2 === 0 ? profiled : bare;
      const a = await round(first, calls, 0);
      const b = await round(first === bare ? profiled : bare, calls, 0);
      spanCosts.push((first === profiled ? a - b : b - a) / calls);
      if (r % 4 === 0) callTimes.push(await round(bare, 1, 1));
    }
    const perCallMs = median(spanCosts);
    const callMs = median(callTimes);
    // #endregion overhead
    report({
      id: 'span-overhead',
      value: (perCallMs / callMs) * 100,
      detail:
        `4 spans cost ${(perCallMs * 1000).toFixed(1)} µs per call (median of ${OVERHEAD_ROUNDS} interleaved rounds of ${calls} calls), ` +
        `the call ${callMs.toFixed(2)} ms (median of ${callTimes.length}), both on ${clockNote}`,
    });
  }

  progress(`profiler memory after ${RETAINED_SPANS.toLocaleString('en-US')} spans`);
  {
    let made = 0;
    const bytes = await retainedBytes(async () => {
      const profiler = new Profiler();
      const noop = () => undefined;
      // Bounded in time too: a profiler that costs milliseconds a span (and fails
      // the overhead target for it) must not hold the scorecard for minutes.
      const deadline = performance.now() + RETAINED_BUDGET_MS;
      for (; made < RETAINED_SPANS && (made % 1_000 !== 0 || performance.now() < deadline); made++) {
        const returned: unknown = profiler.span(SPAN_NAMES[made % SPAN_NAMES.length]!, noop);
        // A profiler whose span() returns a promise is weighed after its spans ended.
        if (returned instanceof Promise) await returned;
      }
      return profiler;
    });
    report({
      id: 'profiler-retained',
      value: bytes / 1e6,
      detail:
        made === RETAINED_SPANS
          ? `${(bytes / made).toFixed(1)} bytes per span over ${made.toLocaleString('en-US')} spans of ${SPAN_NAMES.length} names`
          : `only ${made.toLocaleString('en-US')} spans in ${RETAINED_BUDGET_MS / 1000} s (span() is slow), so this is a lower bound`,
    });
  }

  const documents = sampleDocuments({ documents: SEARCH_DOCUMENTS });
  const queries = sampleQueries(8);
  const tool = createSearchTool(countingCorpus(documents));

  progress('CPU profile of the search');
  // #region profile
  // V8's sampling profiler (what `node --cpu-prof` starts) for a fixed budget,
  // and performance.timerify to count and time the calls it saw, from outside.
  const searchTimes = createHistogram();
  const timedSearch = performance.timerify((query: string) => tool.search(query), { histogram: searchTimes });
  const profile = await captureCpuProfile(async () => {
    // The budget is CPU time (the loop thread's own clock), so a busy machine
    // gets as many samples as a quiet one; the wall-clock cap is a backstop.
    const cpuStart = loopClock();
    const wallEnd = performance.now() + PROFILE_WALL_CAP_MS;
    const spent = () => loopClock() - cpuStart >= PROFILE_BUDGET_MS || performance.now() >= wallEnd;
    for (let i = 0; i < 5_000 && (i % 8 !== 0 || !spent()); i++) timedSearch(queries[i % queries.length]!);
  });
  const searches = searchTimes.count;
  // #endregion profile

  progress('search CPU time against one pass over the corpus');
  {
    const onePass = passOverCorpus(documents, queries);
    // Enough calls per round to time a fast search; one when a search is slow.
    const oneSearchMs = await timeCalls(() => tool.search(queries[1]!), 1);
    const callsPerRound = Math.max(1, Math.min(400, Math.round(4 / Math.max(oneSearchMs, 0.001))));
    const rounds = oneSearchMs > 20 ? 5 : 15;
    const ratios = await interleavedRatios(
      (i) => onePass(i),
      (i) => tool.search(queries[i % queries.length]!),
      { rounds, callsPerRound, clock: loopClock },
    );
    const passMs = await timeCalls((i) => onePass(i), 50);
    const profileNote = await keepProfile(await mapToSources(profile));
    report({
      id: 'search-cpu-vs-scan',
      value: median(ratios),
      detail:
        `median of ${rounds} interleaved rounds of ${callsPerRound} on ${clockNote}: a search takes ${(median(ratios) * passMs).toFixed(2)} ms, ` +
        `a pass over ${SEARCH_DOCUMENTS} documents ${passMs.toFixed(3)} ms` +
        profileNote,
    });
  }

  /**
   * Save the profile and its flame graph beside the results (not for a
   * throwaway tree: a variant or a starter under test is not the learner's
   * code), and say which of the learner's functions was hottest.
   */
  async function keepProfile(mapped: CpuProfile): Promise<string> {
    const learnerDir = relative(chapterDir(tree, chapter)) + path.sep;
    const mine = (frame: Frame) => frame.file.startsWith(learnerDir);
    const saved = engineSetting('WORKBOOK_LEARNER_ROOT')
      ? undefined
      : await saveProfile(chapter.slug, tree, mapped, {
          title: `${tree === 'chapters' ? 'Your' : 'The reference'} search tool: ${searches} search${searches === 1 ? '' : 'es'} over ${SEARCH_DOCUMENTS} documents`,
          highlight: mine,
          startAt: mine,
        });
    const hottest = hotFunctions(saved?.stacks ?? collapseProfile(mapped, { root }), mine)[0];
    return (
      `; profiled ${searches} searches (median ${(searchTimes.percentile(50) / 1e6).toFixed(2)} ms by performance.timerify)` +
      (hottest ? `; hottest function of yours: ${frameLabel(hottest.frame)}, ${(hottest.selfShare * 100).toFixed(0)} % of samples` : '') +
      (saved ? `; flame graph: ${relative(saved.svgPath)}` : '')
    );
  }
});

// ── a deterministic 1 ms of CPU ────────────────────────────────────────────

let sink = 0;

/** xorshift steps: pure CPU, no allocation, the same work on every call. */
function spin(units: number): number {
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < units; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x;
}

/** Spin units per ms on this machine, so "a 1 ms call" is 1 ms here (median of warm tries). */
function calibrateSpin(): number {
  const units = 200_000;
  const rates: number[] = [];
  for (let i = 0; i < 9; i++) {
    const start = loopClock();
    sink ^= spin(units);
    rates.push(units / Math.max(0.01, loopClock() - start));
  }
  return Math.round(median(rates.slice(2)));
}

async function timeCalls(fn: (i: number) => unknown, calls: number): Promise<number> {
  const start = loopClock();
  for (let i = 0; i < calls; i++) await fn(i);
  return (loopClock() - start) / calls;
}

/** The baseline: look at each document once, asking whether it holds each query term. */
function passOverCorpus(documents: readonly Document[], queries: readonly string[]) {
  const terms = queries.map((q) => [...new Set(q.toLowerCase().match(/[a-z0-9]+/g) ?? [])]);
  return (i: number) => {
    const wanted = terms[i % terms.length]!;
    let found = 0;
    for (const document of documents) for (const term of wanted) if (document.tokens.includes(term)) found++;
    sink ^= found;
  };
}
