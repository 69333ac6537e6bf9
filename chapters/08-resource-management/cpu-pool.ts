// Runs the CPU-heavy `find_duplicates` tool. Read lesson.mdx beside this file,
// then run: npm run chapter 8
import findDuplicates, { type DuplicateResult, type DuplicateTask } from './cpu-task.ts';

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
export function createCpuPool(_options: CpuPoolOptions): CpuPool {
  let completed = 0;
  return {
    // It is async, so it does not block… does it?
    async run(task, { signal } = {}) {
      signal?.throwIfAborted();
      const result = findDuplicates(task);
      completed++;
      return result;
    },
    get stats() {
      return { threads: 0, queued: 0, completed };
    },
    close: async () => {},
  };
}
// #endregion create-pool
