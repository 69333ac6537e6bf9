// Synthetic memory readings for judging a leak detector: a series made from a
// seed, so a verdict never depends on what this machine's GC did today, and a
// level drawn for the run, so no threshold fitted to one heap size passes.
import { seededRandom } from '../../support/random.ts';

const MiB = 1024 * 1024;

export interface SyntheticSample {
  at: number;
  rss: number;
  heapUsed: number;
  external: number;
}

export interface SeriesOptions {
  minutes: number;
  /** Time between samples. Default 15 s. */
  intervalMs?: number;
  /** How fast the post-GC floor rises: 0 is a healthy server. */
  leakBytesPerMinute?: number;
  /**
   * true: the heap climbs ~45 MB a minute and a major GC drops it back every
   * two to three minutes (a healthy server under load). false: a smooth line.
   */
  sawtooth?: boolean;
  seed?: number;
  /** Where the post-GC floor starts. Default 90 MiB. */
  baseBytes?: number;
}

export const START_AT = 1_764_000_000_000;

export function memorySeries({
  minutes,
  intervalMs = 15_000,
  leakBytesPerMinute = 0,
  sawtooth = true,
  seed = 11,
  baseBytes = 90 * MiB,
}: SeriesOptions): SyntheticSample[] {
  const random = seededRandom(seed);
  const external = 20 * MiB;
  const samples: SyntheticSample[] = [];
  const floorAt = (ms: number) => baseBytes + (leakBytesPerMinute * ms) / 60_000;
  let heap = floorAt(0);
  let gcAbove = 100 * MiB;
  for (let elapsed = 0; elapsed <= minutes * 60_000; elapsed += intervalMs) {
    const floor = floorAt(elapsed);
    if (sawtooth) {
      heap += (8 + random() * 6) * MiB * (intervalMs / 15_000);
      if (heap > floor + gcAbove) {
        heap = floor + random() * 6 * MiB;
        gcAbove = (90 + random() * 30) * MiB;
      }
      heap = Math.max(heap, floor);
    } else {
      heap = floor + random() * MiB;
    }
    samples.push({
      at: START_AT + elapsed,
      heapUsed: Math.round(heap),
      external,
      // Code, stacks and the allocator's slack sit on top; RSS follows the heap.
      rss: Math.round(heap + external + 70 * MiB),
    });
  }
  return samples;
}

/** A sampler that hands out a series one reading per call, as a clock would. */
export function replay(series: readonly SyntheticSample[]) {
  let next = 0;
  return {
    sample(): SyntheticSample {
      const reading = series[Math.min(next, series.length - 1)]!;
      next++;
      return { ...reading };
    },
    get taken() {
      return next;
    },
  };
}
