// What a chapter's bench gets to measure with. Latency goes through tinybench;
// memory is read after forced collections; every figure is reported against a
// metric id from the manifest, and the engine grades it.
import { Bench } from 'tinybench';
import { findChapter } from '../find-chapter.ts';
import { assertInstrumentsIntact } from './lock-grader.ts';
import { weigh } from './memory.ts';
import { summarize } from './stats.ts';
import { currentTree, loadSubject } from './subject.ts';
import type { ChapterSpec, Measurement, SampleSummary, Tree } from '../types.ts';

export interface LatencyOptions {
  /** Samples wanted; fewer are taken if maxTimeMs runs out first. */
  iterations: number;
  /** Hard budget for this measurement, so a slow subject cannot stall the scorecard. */
  maxTimeMs: number;
  /** Untimed calls first, so the JIT and caches settle (off when each call must be new). */
  warmupIterations?: number;
}

export interface BenchContext {
  chapter: ChapterSpec;
  tree: Tree;
  subject<Module>(file: string): Promise<Module>;
  /** Tell the learner what is being measured now. */
  progress(label: string): void;
  report(measurement: Measurement): void;
  latency(name: string, fn: () => unknown, options: LatencyOptions): Promise<SampleSummary>;
  /** Bytes still reachable from what `build` returns, after forced GCs. */
  retainedBytes(build: () => unknown | Promise<unknown>): Promise<number>;
}

export type BenchDefinition = {
  chapterNumber: number;
  run(context: BenchContext): Promise<void>;
};

export function defineMeasurements(chapterNumber: number, run: BenchDefinition['run']): BenchDefinition {
  return { chapterNumber, run };
}

export interface BenchHooks {
  progress(label: string): void;
  report(measurement: Measurement): void;
}

export function createContext(chapterNumber: number, hooks: BenchHooks): BenchContext {
  const chapter = findChapter(chapterNumber);
  const known = new Set(chapter.metrics.map((m) => m.id));
  return {
    chapter,
    tree: currentTree(),
    subject: (file) => loadSubject(chapterNumber, file),
    progress: hooks.progress,
    report(measurement) {
      if (!known.has(measurement.id)) {
        throw new Error(`metric "${measurement.id}" is not in chapter ${chapterNumber}'s spec`);
      }
      // A figure taken with a replaced clock or memory reading is not reported at all.
      assertInstrumentsIntact();
      hooks.report(measurement);
    },
    latency,
    retainedBytes,
  };
}

/** The engine's own clock, taken before any learner code loads (see lock-grader.ts). */
const clock = performance.now.bind(performance);

async function latency(name: string, fn: () => unknown, options: LatencyOptions): Promise<SampleSummary> {
  const bench = new Bench({
    name,
    now: clock,
    time: 0,
    iterations: options.iterations,
    warmup: (options.warmupIterations ?? 0) > 0,
    warmupIterations: options.warmupIterations ?? 0,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
    signal: AbortSignal.timeout(options.maxTimeMs),
  });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0]?.result as { latency?: { samples?: number[] } } | undefined;
  const samples = result?.latency?.samples ?? [];
  if (samples.length === 0) throw new Error(`${name}: no samples within ${options.maxTimeMs} ms`);
  return summarize(samples);
}

async function retainedBytes(build: () => unknown | Promise<unknown>): Promise<number> {
  const { bytes } = await weigh(build);
  return bytes;
}
