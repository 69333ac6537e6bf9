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
/** The two windows compared: the first and the last ten minutes of history. */
const COMPARE_MS = 10 * MINUTE_MS;

export function createMemoryMonitor(options: MonitorOptions = {}): MemoryMonitor {
  const sample = options.sample ?? readProcessMemory;
  const limitBytes = options.limitBytes ?? 512 * MiB;
  const leakBytesPerMinute = options.leakBytesPerMinute ?? 1 * MiB;
  const windowMs = options.windowMs ?? 30 * MINUTE_MS;
  const history: MemorySample[] = [];

  return {
    check() {
      const current = sample();
      history.push(current);
      while (history.length > MAX_SAMPLES || current.at - history[0]!.at > windowMs) history.shift();
      // The lowest live memory in the oldest ten minutes and in the newest ten:
      // where the GC got back to then and now. Compared by the windows' centres.
      const start = history[0]!.at;
      const span = current.at - start;
      let growth = 0;
      if (span >= 2 * COMPARE_MS) {
        const live = (s: MemorySample) => s.heapUsed + s.external;
        const then = Math.min(...history.filter((s) => s.at <= start + COMPARE_MS).map(live));
        const now = Math.min(...history.filter((s) => s.at >= current.at - COMPARE_MS).map(live));
        growth = ((now - then) / (span - COMPARE_MS)) * MINUTE_MS;
      }
      return {
        ...current,
        overLimit: current.rss > limitBytes,
        growthBytesPerMinute: growth,
        leakSuspected: growth > leakBytesPerMinute,
      };
    },
  };
}
// #endregion memory-monitor
