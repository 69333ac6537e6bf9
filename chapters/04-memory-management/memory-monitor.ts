// Watches the process's memory and says when it is leaking.

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
  /** Growth above this rate is a leak. Default 1 MiB a minute. */
  leakBytesPerMinute?: number;
  /** How much history the trend is read from. Default 30 minutes. */
  windowMs?: number;
}

export interface MemoryReport extends MemorySample {
  overLimit: boolean;
  /** How fast memory is growing; 0 until there is enough history. */
  growthBytesPerMinute: number;
  leakSuspected: boolean;
}

export interface MemoryMonitor {
  /** Take one sample and judge it against the history. Call it on an interval. */
  check(): MemoryReport;
}

const MiB = 1024 * 1024;
const MINUTE_MS = 60_000;
/** Growth between two readings a minute apart that counts as a leak. */
const LEAK_STEP_BYTES = 10 * MiB;

export function readProcessMemory(): MemorySample {
  const { rss, heapUsed, external } = process.memoryUsage();
  return { at: Date.now(), rss, heapUsed, external };
}

// #region memory-monitor
export function createMemoryMonitor(options: MonitorOptions = {}): MemoryMonitor {
  const sample = options.sample ?? readProcessMemory;
  const limitBytes = options.limitBytes ?? 512 * MiB;
  let previous: MemorySample | undefined;
  let growth = 0;
  let leaking = false;

  return {
    check() {
      const current = sample();
      previous ??= current;
      // Once a minute, compare with the last reading: 10 MB more is a leak.
      if (current.at - previous.at >= MINUTE_MS) {
        const grew = current.rss - previous.rss;
        growth = (grew / (current.at - previous.at)) * MINUTE_MS;
        leaking = grew > LEAK_STEP_BYTES;
        previous = current;
      }
      return { ...current, overLimit: current.rss > limitBytes, growthBytesPerMinute: growth, leakSuspected: leaking };
    },
  };
}
// #endregion memory-monitor
