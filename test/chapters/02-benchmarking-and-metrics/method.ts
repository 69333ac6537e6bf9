// Runs the learner's benchmark on two functions whose costs the check knows
// (busy loops, one k times longer than the other), and watches how it runs
// them: how many calls came before timing began, how many samples each task
// got, whether the baseline was timed in the same run, and whether the
// reported overhead comes out near k.
import type { Bench } from 'tinybench';

/** What record-benchmark.ts exports. */
export interface BenchmarkModule {
  buildBenchmark(candidates: { baseline: () => void; subject: () => void }): Bench;
  overhead(bench: Bench): number;
}

export interface MethodReport {
  /** The subject's true cost ÷ the baseline's (iterations of the same loop). */
  trueRatio: number;
  /** Calls each function got before the first timed sample (warm-up of any kind). */
  before: { baseline: number; subject: number };
  /** Calls made while samples were being timed. */
  timed: { baseline: number; subject: number };
  /** Samples per task, by task name. */
  samples: Array<{ task: string; samples: number }>;
  /** What overhead(bench) returned, or why it threw. */
  overhead: number | Error;
  runMs: number;
}

let sink = 0;
/** A busy loop whose cost grows linearly with n and that the JIT cannot drop. */
function spin(n: number): void {
  let x = sink;
  for (let i = 0; i < n; i++) x = (Math.imul(x ^ i, 0x9e3779b1) + 1) | 0;
  sink = x;
}

/** Iterations of the baseline's loop: about half a microsecond, far above timer resolution. */
const BASELINE_SPINS = 400;

export async function watchBenchmark(module: BenchmarkModule, trueRatio: number, timeoutMs: number): Promise<MethodReport> {
  let phase: 'before' | 'timed' = 'before';
  const report: MethodReport = {
    trueRatio,
    before: { baseline: 0, subject: 0 },
    timed: { baseline: 0, subject: 0 },
    samples: [],
    overhead: Number.NaN,
    runMs: 0,
  };
  const subjectSpins = Math.round(BASELINE_SPINS * trueRatio);
  const bench = module.buildBenchmark({
    baseline: () => {
      report[phase].baseline++;
      spin(BASELINE_SPINS);
    },
    subject: () => {
      report[phase].subject++;
      spin(subjectSpins);
    },
  });
  // tinybench announces "start" once its warm-up is over and timing begins.
  bench.addEventListener('start', () => (phase = 'timed'));
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      bench.run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the benchmark ran for more than ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  report.runMs = performance.now() - started;
  report.samples = bench.tasks.map((task) => {
    const result = task.result;
    return { task: task.name, samples: 'latency' in result ? result.latency.samplesCount : 0 };
  });
  try {
    report.overhead = module.overhead(bench);
  } catch (error) {
    report.overhead = error as Error;
  }
  return report;
}
