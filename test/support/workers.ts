// Starts worker threads that all increment one SharedCounter from the chapter
// under test, and always terminates them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { transformSync } from 'esbuild';
import { findChapter } from '../../workbook/find-chapter.ts';
import { chapterDir } from '../../workbook/paths.ts';
import { currentTree } from '../../workbook/authoring/subject.ts';

export interface CountInWorkersOptions {
  chapterNumber: number;
  file: string;
  /** The counter's SharedArrayBuffer (`counter.buffer`). */
  buffer: SharedArrayBuffer;
  workers: number;
  /** Each worker makes at least this many increments (rounded up to 1024s)… */
  minIncrementsPerWorker: number;
  /** …and keeps going for this long, so the threads overlap even on a busy machine. */
  windowMs: number;
  /** Give up (and terminate every worker) after this long. */
  timeoutMs: number;
}

/**
 * The learner's file compiled to JavaScript once, here, as a data: URL: much
 * cheaper than a TypeScript loader starting in every worker. The module may
 * import node: built-ins (a data: URL has no folder for relative imports).
 */
function compiledModuleUrl(file: string): string {
  const { code } = transformSync(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', sourcefile: file });
  return `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
}

/** Runs the workers and returns how many increments they made in all. */
export async function countInWorkers(options: CountInWorkersOptions): Promise<number> {
  const chapter = findChapter(options.chapterNumber);
  const moduleUrl = compiledModuleUrl(path.join(chapterDir(currentTree(), chapter), options.file));
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const [GO, STOP] = [0, 1];
  const script = new URL('./counter-worker.mjs', import.meta.url);
  const workers = Array.from(
    { length: options.workers },
    () =>
      new Worker(script, {
        // Plain node: no TypeScript loader to start in every thread.
        execArgv: [],
        workerData: { moduleUrl, buffer: options.buffer, flags: flags.buffer, increments: options.minIncrementsPerWorker },
      }),
  );
  const reached = <M extends { type: string }>(type: M['type']) =>
    Promise.all(
      workers.map(
        (worker) =>
          new Promise<M>((resolve, reject) => {
            const onMessage = (message: M) => {
              if (message?.type !== type) return;
              worker.off('message', onMessage);
              resolve(message);
            };
            worker.on('message', onMessage);
            worker.once('error', reject);
            worker.once('exit', (code) => reject(new Error(`a counter worker exited (code ${code}) before "${type}"`)));
          }),
      ),
    );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`counter workers did not finish within ${options.timeoutMs} ms`)), options.timeoutMs);
  });
  try {
    const done = reached<{ type: 'done'; made: number }>('done');
    done.catch(() => {});
    await Promise.race([reached('ready'), expired]);
    // Open the gate: every worker starts incrementing at the same moment.
    Atomics.store(flags, GO, 1);
    Atomics.notify(flags, GO);
    await Promise.race([sleep(options.windowMs), expired]);
    Atomics.store(flags, STOP, 1);
    const reports = await Promise.race([done, expired]);
    return reports.reduce((sum, report) => sum + report.made, 0);
  } finally {
    clearTimeout(timer);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
