// Watches the process's memory and says when it is leaking. It judges the
// trend of the post-GC floor over many samples: the heap of a healthy server
// climbs and drops all day (a GC sawtooth), and only a floor that keeps
// rising is a leak.

export interface MemorySample {
  /** When the sample was taken, epoch ms. */
  at: number;
  rss: number;
  heapUsed: number;
  /** Buffers and other memory outside the V8 heap. */
  external: number;
}

export interface MonitorOptions {
  /** Where samples come from; the default reads this process. Injected so tests can feed a series. */
  sample?: () => MemorySample;
  /** RSS above this is over budget. Default 512 MiB, the guide's per-instance target. */
  limitBytes?: number;
  /** Sustained growth of the floor above this rate is a leak. Default 1 MiB a minute. */
  leakBytesPerMinute?: number;
  /** How much history the trend is read from. Default 30 minutes. */
  windowMs?: number;
}

export interface MemoryReport extends MemorySample {
  overLimit: boolean;
  /** Growth of the post-GC floor across the window; 0 until there is enough history. */
  growthBytesPerMinute: number;
  leakSuspected: boolean;
}

export interface MemoryMonitor {
  /** Take one sample and judge it against the history. Call it on an interval. */
  check(): MemoryReport;
}

const MiB = 1024 * 1024;
const MINUTE_MS = 60_000;
/** Most samples kept, whatever the interval, so the monitor itself stays small. */
const MAX_SAMPLES = 2_048;

export function readProcessMemory(): MemorySample {
  const { rss, heapUsed, external } = process.memoryUsage();
  return { at: Date.now(), rss, heapUsed, external };
}

// #region memory-monitor
/** A heap that never falls below this over ten minutes is leaking. */
const LEAK_FLOOR_BYTES = 100 * MiB;

export function createMemoryMonitor(options: MonitorOptions = {}): MemoryMonitor {
  const sample = options.sample ?? readProcessMemory;
  const limitBytes = options.limitBytes ?? 512 * MiB;
  const history: MemorySample[] = [];

  return {
    check() {
      const current = sample();
      history.push(current);
      while (history.length > MAX_SAMPLES || current.at - history[0]!.at > 10 * MINUTE_MS) history.shift();
      const floor = Math.min(...history.map((s) => s.heapUsed + s.external));
      const first = history[0]!;
      const span = (current.at - first.at) / MINUTE_MS || 1;
      const growth = (current.heapUsed + current.external - (first.heapUsed + first.external)) / span;
      return {
        ...current,
        overLimit: current.rss > limitBytes,
        growthBytesPerMinute: growth,
        leakSuspected: floor > LEAK_FLOOR_BYTES,
      };
    },
  };
}
// #endregion memory-monitor
