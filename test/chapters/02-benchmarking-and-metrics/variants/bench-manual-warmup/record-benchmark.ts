// Warm-up done by hand before tinybench starts, batches of 50 calls per
// sample, and the ratio of the fastest samples (the run least disturbed by
// anything else) instead of medians.
import { Bench } from 'tinybench';

export interface Candidates {
  baseline: () => void;
  subject: () => void;
}

export const BASELINE_TASK = 'baseline';
export const SUBJECT_TASK = 'subject';

const WARM_UP_CALLS = 5_000;
const BATCH = 50;

export function buildBenchmark({ baseline, subject }: Candidates): Bench {
  for (let i = 0; i < WARM_UP_CALLS; i++) {
    baseline();
    subject();
  }
  const bench = new Bench({ warmup: false, iterations: 150, time: 0 });
  const batched = (fn: () => void) => () => {
    for (let i = 0; i < BATCH; i++) fn();
  };
  bench.add(BASELINE_TASK, batched(baseline));
  bench.add(SUBJECT_TASK, batched(subject));
  return bench;
}

export function overhead(bench: Bench): number {
  const fastest = (name: string) => {
    const result = bench.getTask(name)?.result;
    if (!result || !('latency' in result)) throw new Error(`no timings for ${name}`);
    return result.latency.min;
  };
  return fastest(SUBJECT_TASK) / fastest(BASELINE_TASK);
}
