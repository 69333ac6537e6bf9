// A benchmark of record(), the way most first benchmarks are written. It runs,
// it prints a number, and the number means little. Read lesson.mdx, then:
// npm run chapter 2
import { Bench } from 'tinybench';

export interface Candidates {
  /** The least the operation could cost: e.g. bumping a per-tool counter in a Map. */
  baseline: () => void;
  /** The operation under test: e.g. one MetricsCollector.record() call. */
  subject: () => void;
}

export const BASELINE_TASK = 'baseline';
export const SUBJECT_TASK = 'subject';

// #region build
export function buildBenchmark({ subject }: Candidates): Bench {
  // Straight to the timing: why spend calls that are not measured?
  const bench = new Bench({ warmup: false, iterations: 10, time: 0 });
  bench.add(SUBJECT_TASK, subject);
  return bench;
}
// #endregion build

// #region overhead
/** What one call of the subject costs. */
export function overhead(bench: Bench): number {
  const result = bench.getTask(SUBJECT_TASK)?.result;
  if (!result || !('latency' in result)) throw new Error('the bench has not run');
  return result.latency.mean;
}
// #endregion overhead
