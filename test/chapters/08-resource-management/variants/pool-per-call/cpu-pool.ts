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
/** A pool made inside the handler: every call starts a thread and throws it away. */
export function createCpuPool({ workerFile, threads = 2, maxQueue = 4 }: CpuPoolOptions): CpuPool {
  let running = 0;
  let completed = 0;
  return {
    async run(task, { signal } = {}) {
      if (running >= threads + maxQueue) throw new BusyError(running, 50);
      running++;
      const pool = new Piscina<DuplicateTask, DuplicateResult>({ filename: String(workerFile), maxThreads: 1, execArgv: [] });
      try {
        const result = await pool.run(task, signal ? { signal } : {});
        completed++;
        return result;
      } finally {
        running--;
        await pool.destroy();
      }
    },
    get stats() {
      return { threads: running, queued: 0, completed };
    },
    close: async () => {},
  };
}
// #endregion create-pool
