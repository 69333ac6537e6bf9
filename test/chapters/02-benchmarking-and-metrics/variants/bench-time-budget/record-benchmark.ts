// The same method with tinybench's time budgets instead of fixed counts: a
// tenth of a second of warm-up and a fifth of timing per task, with floors
// on both counts, one call per sample timed on the nanosecond clock.
import { Bench } from 'tinybench';

export interface Candidates {
  baseline: () => void;
  subject: () => void;
}

export const BASELINE_TASK = 'baseline';
export const SUBJECT_TASK = 'subject';

export function buildBenchmark({ baseline, subject }: Candidates): Bench {
  // tinybench keeps going until both the time and the count are reached.
  const bench = new Bench({
    timestampProvider: 'hrtimeNow',
    warmupTime: 100,
    warmupIterations: 1_000,
    time: 200,
    iterations: 100,
  });
  return bench.add(BASELINE_TASK, () => baseline()).add(SUBJECT_TASK, () => subject());
}

export function overhead(bench: Bench): number {
  const [base, sub] = [BASELINE_TASK, SUBJECT_TASK].map((name) => {
    const result = bench.getTask(name)?.result;
    if (result?.state !== 'completed') throw new Error(`${name} did not complete`);
    return result.latency.p50;
  });
  return sub! / base!;
}
