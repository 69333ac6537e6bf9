// Node's perf_hooks histograms keep their counts in native memory, which
// neither heapUsed nor external shows: a collector that keeps a new histogram
// per minute looks weightless to process.memoryUsage(). To weigh a collector
// honestly, count the histograms it keeps alive and add what each allocated.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { CreateHistogramOptions } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
// The module object that `import { createHistogram } from 'node:perf_hooks'`
// reads from, once syncBuiltinESMExports() has copied our change across.
const perfHooks = require('node:perf_hooks') as typeof import('node:perf_hooks');

/**
 * Bytes of the counts array an HDR histogram allocates (hdr_histogram's
 * hdr_init, which perf_hooks uses): (buckets + 1) × sub-buckets / 2 × 8 bytes.
 */
export function histogramBytes({ lowest = 1, highest = Number.MAX_SAFE_INTEGER, figures = 3 }: CreateHistogramOptions = {}): number {
  const subBucketCount = 2 ** Math.ceil(Math.log2(2 * 10 ** Number(figures)));
  const unitMagnitude = Math.floor(Math.log2(Math.max(1, Number(lowest))));
  let smallestUntrackable = BigInt(subBucketCount) << BigInt(unitMagnitude);
  let buckets = 1;
  while (smallestUntrackable <= BigInt(highest)) {
    smallestUntrackable <<= 1n;
    buckets++;
  }
  return (buckets + 1) * (subBucketCount / 2) * 8;
}

export interface HistogramTally {
  /** Histograms created since tracking began that are still reachable (call after a forced GC). */
  live(): { count: number; bytes: number };
  created(): number;
  stop(): void;
}

/** Count every perf_hooks histogram created from now until stop(). */
export function trackHistograms(): HistogramTally {
  const created: Array<{ histogram: WeakRef<object>; bytes: number }> = [];
  const real = perfHooks.createHistogram;
  perfHooks.createHistogram = ((options?: CreateHistogramOptions) => {
    const histogram = real(options);
    created.push({ histogram: new WeakRef(histogram), bytes: histogramBytes(options) });
    return histogram;
  }) as typeof real;
  syncBuiltinESMExports();
  return {
    live() {
      const alive = created.filter((entry) => entry.histogram.deref() !== undefined);
      return { count: alive.length, bytes: alive.reduce((sum, entry) => sum + entry.bytes, 0) };
    },
    created: () => created.length,
    stop() {
      perfHooks.createHistogram = real;
      syncBuiltinESMExports();
    },
  };
}
