// Robust statistics for noisy machines. Verdicts read medians and high
// percentiles of many samples, or ratios of two measurements taken in the same
// run, never a single wall-clock reading.
import type { SampleSummary } from '../types.ts';

/** The q-quantile (0..1) of sorted samples, interpolating between ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower]!;
  const high = sorted[upper]!;
  return low + (high - low) * (position - lower);
}

export function median(samples: readonly number[]): number {
  return quantile([...samples].sort((a, b) => a - b), 0.5);
}

export function summarize(samples: readonly number[]): SampleSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length ? total / sorted.length : Number.NaN,
  };
}

/**
 * The smallest sample count whose q-quantile is more than the single largest
 * sample: p99 needs at least 100 samples to mean anything.
 */
export function samplesNeededFor(q: number): number {
  return Math.ceil(1 / (1 - q));
}

const wallClockMs = () => Number(process.hrtime.bigint()) / 1e6;

// #region interleaved
export interface InterleavedOptions {
  /** How many alternating baseline/subject rounds to run. */
  rounds: number;
  /** Calls per round; each round is timed as a whole to stay above timer resolution. */
  callsPerRound?: number;
  /**
   * The clock, in ms (default: the wall clock). A clock that leaves out time
   * other programs had the CPU (test/support/thread-clock.ts) steadies
   * CPU-bound comparisons on a busy machine.
   */
  clock?: () => number;
}

/**
 * Time `subject` against `baseline` in alternating rounds and return the
 * per-round ratios subject ÷ baseline. Interleaving means a burst of load from
 * elsewhere hits both sides alike; the median of the ratios ignores the rounds
 * it hit unevenly. Either side may be async: a returned promise is awaited.
 */
export async function interleavedRatios(
  baseline: (i: number) => unknown,
  subject: (i: number) => unknown,
  { rounds, callsPerRound = 1, clock = wallClockMs }: InterleavedOptions,
): Promise<number[]> {
  const time = async (fn: (i: number) => unknown): Promise<number> => {
    const start = clock();
    for (let i = 0; i < callsPerRound; i++) {
      const result = fn(i);
      if (result instanceof Promise) await result;
    }
    return clock() - start;
  };
  // One untimed round each lets the JIT settle before anything counts.
  await time(baseline);
  await time(subject);
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first so neither always runs on a warmer cache.
    let baselineMs: number;
    let subjectMs: number;
    if (round % 2 === 0) {
      baselineMs = await time(baseline);
      subjectMs = await time(subject);
    } else {
      subjectMs = await time(subject);
      baselineMs = await time(baseline);
    }
    ratios.push(subjectMs / Math.max(1e-6, baselineMs));
  }
  return ratios;
}
// #endregion interleaved
