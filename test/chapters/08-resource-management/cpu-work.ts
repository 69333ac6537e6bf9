// What the CPU-pool checks and measurements need: the learner's worker module
// compiled to JavaScript a worker thread can load, a count of the threads that
// loaded it, seeded documents to deduplicate, and CPU time read per thread.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { findChapter } from '../../../workbook/find-chapter.ts';
import { chapterDir, workbookDir } from '../../../workbook/paths.ts';
import { currentTree } from '../../../workbook/authoring/subject.ts';
import { seededRandom } from '../../support/random.ts';
import type { DuplicateTask } from '../../../solutions/08-resource-management/cpu-task.ts';

export const WORKER_SOURCE = 'cpu-task.ts';

export interface CompiledWorker {
  /** The compiled module: pass it to createCpuPool as workerFile. */
  file: string;
  /** Thread ids that have loaded the module so far, one per load. */
  loads(): number[];
  remove(): void;
}

/**
 * Bundle the learner's cpu-task.ts (and anything it imports) into one ES
 * module inside .workbook/, so packages still resolve from it. A first line
 * notes the thread id in a log every time a thread loads the module: the
 * checks count the threads that really ran the work.
 */
export function compileWorker(chapterNumber = 8): CompiledWorker {
  const chapter = findChapter(chapterNumber);
  mkdirSync(workbookDir, { recursive: true });
  const dir = mkdtempSync(path.join(workbookDir, 'worker-'));
  const file = path.join(dir, 'cpu-task.mjs');
  const log = path.join(dir, 'loads.log');
  buildSync({
    entryPoints: [path.join(chapterDir(currentTree(), chapter), WORKER_SOURCE)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outfile: file,
    logLevel: 'silent',
    banner: {
      js: [
        "import { appendFileSync as __workbookNote } from 'node:fs';",
        "import { threadId as __workbookThread } from 'node:worker_threads';",
        `__workbookNote(${JSON.stringify(log)}, __workbookThread + '\\n');`,
      ].join('\n'),
    },
  });
  return {
    file,
    loads() {
      try {
        return readFileSync(log, 'utf8').split('\n').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `count` seeded documents of 40 words; about one in ten is a near-copy of the one before. */
export function duplicateTask(count: number, seed: number): DuplicateTask {
  const random = seededRandom(seed);
  const documents: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0 && random() < 0.1) {
      const words = documents[i - 1]!.split(' ');
      words[Math.floor(random() * words.length)] = `edited${i}`;
      documents.push(words.join(' '));
    } else {
      documents.push(Array.from({ length: 40 }, () => `w${Math.floor(random() * 3_000)}`).join(' '));
    }
  }
  return { documents };
}

/**
 * CPU time, in ms, that the calling thread (the event loop's) has run, from
 * Linux's per-thread accounting (/proc/thread-self/schedstat, field 1). Other
 * threads of the process, workers included, are not in it. Undefined where
 * that file does not exist.
 */
export function loopThreadCpuMs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/** CPU time, in ms, of the whole process: every thread. */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1_000;
}

export interface CpuShare {
  /** Loop thread's CPU ÷ the process's, while `work` ran (0 when all of it ran elsewhere). */
  loopShare: number;
  loopMs: number;
  processMs: number;
}

/**
 * How much of the CPU that `work` cost was spent on the event loop's thread.
 * Where per-thread figures are missing, the event loop's utilization stands in.
 */
export async function cpuShareOf(work: () => Promise<unknown>): Promise<CpuShare> {
  const loopBefore = loopThreadCpuMs();
  const processBefore = processCpuMs();
  const eluBefore = performance.eventLoopUtilization();
  await work();
  const processMs = processCpuMs() - processBefore;
  const loopAfter = loopThreadCpuMs();
  if (loopBefore === undefined || loopAfter === undefined) {
    const elu = performance.eventLoopUtilization(eluBefore);
    return { loopShare: elu.utilization, loopMs: elu.active, processMs };
  }
  const loopMs = loopAfter - loopBefore;
  return { loopShare: loopMs / Math.max(processMs, 1e-3), loopMs, processMs };
}

/** Run `work` over `items` with at most `limit` in flight (so a burst never exceeds what a pool accepts). */
export async function inWindows<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
}
