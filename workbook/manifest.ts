// The one ordered list of chapters. The CLI, the checks, the measurements and
// the site all read it. Each chapter's spec (checks, metrics and targets,
// starterFails) lives beside its checks in test/chapters/NN-slug/spec.ts.
//
// Adding a chapter: chapters/NN-slug/ (lesson + starter), its twin in
// solutions/NN-slug/, test/chapters/NN-slug/{spec,checks}.ts,
// bench/NN-slug/measure.ts, and one line below.
// test/engine/manifest.test.ts says what is missing.
import chapter1 from '../test/chapters/01-performance-philosophy/spec.ts';
import chapter2 from '../test/chapters/02-benchmarking-and-metrics/spec.ts';
import chapter3 from '../test/chapters/03-async-optimization/spec.ts';
import chapter4 from '../test/chapters/04-memory-management/spec.ts';
import chapter5 from '../test/chapters/05-database-performance/spec.ts';
import chapter6 from '../test/chapters/06-caching-strategies/spec.ts';
import chapter7 from '../test/chapters/07-network-optimization/spec.ts';
import chapter8 from '../test/chapters/08-resource-management/spec.ts';
import chapter9 from '../test/chapters/09-profiling-and-debugging/spec.ts';
import chapter10 from '../test/chapters/10-production-optimization/spec.ts';
import type { ChapterSpec } from './types.ts';

export const chapters: ChapterSpec[] = [chapter1, chapter2, chapter3, chapter4, chapter5, chapter6, chapter7, chapter8, chapter9, chapter10];
