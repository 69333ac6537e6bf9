// Runs the CPU-heavy tool on worker threads (piscina), so the event loop stays
// free for every other request, and refuses work it cannot start soon instead
// of queueing without end.
import { Piscina } from 'piscina';
import type { DuplicateResult, DuplicateTask } from './cpu-task.ts';

export interface CpuPoolOptions {
  /**
   * The worker module: cpu-task.ts compiled to JavaScript, as a path or file:
   * URL. Worker threads load plain JavaScript (Node 20 has no TypeScript
   * loader in a worker); a build step produces it, the workbook compiles it
   * for you.
   */
  workerFile: string | URL;
  /** Worker threads: at most one per core the server may use. */
  threads?: number;
  /** Tasks that may wait for a thread; the next one is refused with a BusyError. */
  maxQueue?: number;
}

export interface RunOptions {
  /** The MCP request's signal: a task the client gave up on leaves the queue (or its thread is stopped). */
  signal?: AbortSignal;
}

export interface CpuPoolStats {
  threads: number;
  queued: number;
  completed: number;
}

export interface CpuPool {
  run(task: DuplicateTask, options?: RunOptions): Promise<DuplicateResult>;
  readonly stats: CpuPoolStats;
  close(): Promise<void>;
}

// #region busy-error
/** The pool is full: answer the client now ("busy, retry") instead of making it wait in a queue with no end. */
export class BusyError extends Error {
  override name = 'BusyError';
  constructor(
    readonly queued: number,
    /** A hint for the client: about how long until a place frees up. */
    readonly retryAfterMs: number,
  ) {
    super(`the server is busy: ${queued} jobs are already waiting; retry in about ${retryAfterMs} ms`);
  }
}
// #endregion busy-error

// #region create-pool
export function createCpuPool({ workerFile, threads = 2, maxQueue = 4 }: CpuPoolOptions): CpuPool {
  const pool = new Piscina<DuplicateTask, DuplicateResult>({
    filename: String(workerFile),
    // A fixed number of threads, started now: no thread start-up on the first request.
    minThreads: threads,
    maxThreads: threads,
    maxQueue,
    // Keep idle threads: starting one costs tens of ms.
    idleTimeout: 60_000,
    // Workers inherit the parent's node flags by default; the worker file is
    // plain JavaScript and needs none (a server run with --import tsx would
    // load tsx again in every thread).
    execArgv: [],
  });

  return {
    async run(task, { signal } = {}) {
      // Full: say so now. A task accepted here would wait behind all the others.
      if (pool.queueSize >= maxQueue) throw new BusyError(pool.queueSize, retryHint());
      try {
        return await pool.run(task, signal ? { signal } : {});
      } catch (error) {
        // piscina's own refusal (threads still starting count towards its limit).
        if (error instanceof Error && /queue is at limit/i.test(error.message)) throw new BusyError(pool.queueSize, retryHint());
        throw error;
      }
    },
    get stats() {
      return { threads: pool.threads.length, queued: pool.queueSize, completed: pool.completed };
    },
    close: () => pool.close(),
  };

  /** About when a place frees up: the queue's length in rounds of `threads` jobs, at piscina's median run time. */
  function retryHint(): number {
    const runMs = pool.histogram.runTime.p50 || 50;
    return Math.ceil(((pool.queueSize + threads) / threads) * runMs);
  }
}
// #endregion create-pool
