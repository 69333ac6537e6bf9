// A benchmark you can believe: the operation under test and a baseline,
// timed in the same run, after a warm-up, with enough samples for the
// statistic it reports. Used to put a number on what record() costs.
import { Bench } from 'tinybench';

export interface Candidates {
  /** The least the operation could cost: e.g. bumping a per-tool counter in a Map. */
  baseline: () => void;
  /** The operation under test: e.g. one MetricsCollector.record() call. */
  subject: () => void;
}

export const BASELINE_TASK = 'baseline';
export const SUBJECT_TASK = 'subject';

/** Calls per timed sample: a sample of one 50 ns call would mostly time the timer. */
export const CALLS_PER_SAMPLE = 20;

// #region build
export function buildBenchmark({ baseline, subject }: Candidates): Bench {
  const bench = new Bench({
    // Untimed rounds first, so the JIT has compiled both functions (and any
    // lazy set-up has happened) before a single sample counts: 100 rounds of
    // 20 calls each.
    // Every call counts: nothing is thrown away.
    warmup: false,
    // A fixed count of samples, not a time budget: 200 per task on any
    // machine, plenty for a median and enough for a p99.
    iterations: 200,
    time: 0,
  });
  const batch = (fn: () => void) => () => {
    for (let i = 0; i < CALLS_PER_SAMPLE; i++) fn();
  };
  // Both in one Bench, one run: whatever the machine is doing, it does it to both.
  bench.add(BASELINE_TASK, batch(baseline)).add(SUBJECT_TASK, batch(subject));
  return bench;
}
// #endregion build

// #region overhead
/** How many times the baseline's cost the subject costs: a ratio of medians from one run. */
export function overhead(bench: Bench): number {
  return medianMs(bench, SUBJECT_TASK) / medianMs(bench, BASELINE_TASK);
}

function medianMs(bench: Bench, name: string): number {
  const result = bench.getTask(name)?.result;
  if (!result || !('latency' in result)) throw new Error(`task "${name}" has no timings: has the bench run?`);
  // The median, not the mean: one sample that a GC pause or another program
  // stretched moves the mean, not the median.
  return result.latency.p50;
}
// #endregion overhead
