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
/** The window is cut into this many slices; the lowest point of each is a floor. */
const SLICES = 5;
/** Most samples kept, whatever the interval, so the monitor itself stays small. */
const MAX_SAMPLES = 2_048;

export function readProcessMemory(): MemorySample {
  const { rss, heapUsed, external } = process.memoryUsage();
  return { at: Date.now(), rss, heapUsed, external };
}

// #region memory-monitor
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

      // Judge only with most of a window behind us: a few minutes of
      // sawtooth look like growth from any single low point.
      const span = current.at - history[0]!.at;
      const growth = span >= (windowMs * 2) / 3 ? floorSlopePerMinute(history, SLICES) : 0;
      return {
        ...current,
        overLimit: current.rss > limitBytes,
        growthBytesPerMinute: growth,
        leakSuspected: growth > leakBytesPerMinute,
      };
    },
  };
}

/**
 * Cut the history into time slices, take the lowest live memory (heap +
 * external) in each, the level the GC gets back to, and fit a line through
 * those floors. Peaks only say when the GC last ran.
 */
function floorSlopePerMinute(history: readonly MemorySample[], slices: number): number {
  const start = history[0]!.at;
  const width = (history[history.length - 1]!.at - start) / slices || 1;
  const floors: Array<{ at: number; bytes: number }> = [];
  for (const s of history) {
    const slice = Math.min(slices - 1, Math.floor((s.at - start) / width));
    const live = s.heapUsed + s.external;
    if (!floors[slice] || live < floors[slice].bytes) floors[slice] = { at: s.at, bytes: live };
  }
  return leastSquaresSlope(floors.filter(Boolean)) * MINUTE_MS;
}
// #endregion memory-monitor

function leastSquaresSlope(points: ReadonlyArray<{ at: number; bytes: number }>): number {
  if (points.length < 2) return 0;
  const meanX = points.reduce((sum, p) => sum + p.at, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.bytes, 0) / points.length;
  let numerator = 0;
  let denominator = 0;
  for (const p of points) {
    numerator += (p.at - meanX) * (p.bytes - meanY);
    denominator += (p.at - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}
