// The same pool written by hand on node:worker_threads: a fixed set of
// threads, a bounded FIFO queue, a BusyError when it is full. What piscina
// adds on top is in lesson.mdx.
import { Worker } from 'node:worker_threads';
import type { DuplicateResult, DuplicateTask } from './cpu-task.ts';

export interface CpuPoolOptions {
  /** The worker module: cpu-task.ts compiled to JavaScript, as a path or file: URL. */
  workerFile: string | URL;
  threads?: number;
  maxQueue?: number;
}

export interface RunOptions {
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

export class BusyError extends Error {
  override name = 'BusyError';
  constructor(
    readonly queued: number,
    readonly retryAfterMs: number,
  ) {
    super(`the server is busy: ${queued} jobs are already waiting; retry in about ${retryAfterMs} ms`);
  }
}

interface Job {
  task: DuplicateTask;
  resolve(result: DuplicateResult): void;
  reject(error: unknown): void;
}

// #region hand-written
export function createCpuPool({ workerFile, threads = 2, maxQueue = 4 }: CpuPoolOptions): CpuPool {
  const workers = new Set<Worker>();
  const idle: Worker[] = [];
  const running = new Map<Worker, Job>();
  const queue: Job[] = [];
  let completed = 0;
  let closed = false;

  const start = (): Worker => {
    const worker = new Worker(workerFile, { execArgv: [] });
    worker.on('message', (reply: { result?: DuplicateResult; error?: string }) => {
      const job = running.get(worker)!;
      running.delete(worker);
      completed++;
      if (reply.error === undefined) job.resolve(reply.result!);
      else job.reject(new Error(reply.error));
      feed(worker);
    });
    // A crashed thread fails its job and is replaced.
    worker.on('error', (error) => {
      running.get(worker)?.reject(error);
      running.delete(worker);
      workers.delete(worker);
      if (!closed) feed(start());
    });
    workers.add(worker);
    return worker;
  };

  const feed = (worker: Worker) => {
    const job = queue.shift();
    if (!job) return void idle.push(worker);
    running.set(worker, job);
    worker.postMessage(job.task);
  };

  for (let i = 0; i < threads; i++) idle.push(start());

  return {
    run(task, { signal } = {}) {
      if (closed) return Promise.reject(new Error('the CPU pool is closed'));
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<DuplicateResult>((resolve, reject) => {
        const job: Job = { task, resolve, reject };
        const worker = idle.pop();
        if (worker) {
          running.set(worker, job);
          worker.postMessage(task);
        } else if (queue.length >= maxQueue) {
          reject(new BusyError(queue.length, 50 * Math.ceil((queue.length + threads) / threads)));
        } else {
          queue.push(job);
        }
      });
    },
    get stats() {
      return { threads: workers.size, queued: queue.length, completed };
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('the CPU pool is closed'));
      await Promise.all([...workers].map((worker) => worker.terminate()));
    },
  };
}
// #endregion hand-written
