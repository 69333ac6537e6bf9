// What every engine child process does for the CLI that started it (see
// child-process.ts for the other end):
//  - events on file descriptor 3, one JSON object per line;
//  - a heartbeat file, rewritten by a timer: a timer only fires when the event
//    loop is free, so a heartbeat that stops while the process keeps burning
//    CPU means a synchronous loop (the CLI measures the CPU from outside);
//  - a journal of which learner file is loading and which check is running,
//    written synchronously, so it survives a process that never reports again;
//  - the engine's settings taken out of process.env before learner code loads;
//  - a watch on the CLI itself: if it dies (even by SIGKILL), this process
//    group ends at once instead of spinning on, orphaned.
import { appendFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { captureEngineSettings, engineSetting } from '../paths.ts';
import type { ChildEvent } from './protocol.ts';
import type { JournalEntry } from './journal.ts';

/** In a child: send one event to the parent. */
export function emit(event: ChildEvent): void {
  writeSync(3, `${JSON.stringify(event)}\n`);
}

/**
 * In a child started with `startWhen`: wait for the parent's go-ahead. If the
 * parent goes away instead (Ctrl-C in watch mode), there is nothing to do.
 */
export function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    let released = false;
    process.stdin.once('data', () => {
      released = true;
      resolve();
    });
    process.stdin.once('end', () => {
      if (!released) process.exit(0);
    });
  });
}

/**
 * Keep the engine's settings (WORKBOOK_*) where engine modules find them
 * (paths.ts engineSetting), then remove from process.env everything the code
 * under test has no business reading: the engine's settings and the test
 * runner's own markers. Code that behaves differently when it is graded
 * cannot find out that it is.
 */
export function hideEngineFromLearner(): void {
  const settings: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) if (key.startsWith('WORKBOOK_')) settings[key] = value;
  captureEngineSettings(settings);
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('WORKBOOK_') || key === 'VITEST' || key.startsWith('VITEST_') || key === 'TEST' || key === 'FORCE_TTY') {
      delete process.env[key];
    }
  }
  // vitest sets NODE_ENV=test when it was unset; the learner's code sees what the CLI saw.
  const nodeEnv = settings.WORKBOOK_NODE_ENV;
  if (nodeEnv === undefined) return;
  if (nodeEnv) process.env.NODE_ENV = nodeEnv;
  else delete process.env.NODE_ENV;
}

function runDir(): string | undefined {
  return engineSetting('WORKBOOK_RUN_DIR');
}

const HEARTBEAT_MS = 200;

/** Rewrite this process's heartbeat file while the event loop turns. */
export function startHeartbeat(): void {
  const dir = runDir();
  if (!dir) return;
  const file = path.join(dir, `beat-${process.pid}`);
  let beat = 0;
  const write = () => {
    try {
      writeFileSync(file, String(++beat));
    } catch {
      // The run is over and its folder gone: nothing left to tell.
    }
  };
  write();
  setInterval(write, HEARTBEAT_MS).unref();
}

/** Append one line to the run's journal, synchronously. */
export function journal(entry: JournalEntry): void {
  const dir = runDir();
  if (!dir) return;
  try {
    appendFileSync(path.join(dir, 'journal'), `${JSON.stringify(entry)}\n`);
  } catch {
    // See startHeartbeat.
  }
}

/**
 * Mark engine work that may hold the event loop for seconds (a database's
 * first start), so the CLI does not take it for the learner's loop.
 */
export async function harnessWork<T>(label: string, work: () => Promise<T>): Promise<T> {
  const dir = runDir();
  const file = dir ? path.join(dir, `harness-${process.pid}`) : undefined;
  try {
    if (file) writeFileSync(file, label);
  } catch {
    // Outside a run: nothing to mark.
  }
  try {
    return await work();
  } finally {
    if (file) rmSync(file, { force: true });
  }
}

const STARTUPS = Symbol.for('workbook.harness-startups');

/**
 * A service the engine started for the checks (see backends/postgres.ts
 * warmUp): the checks runner waits for these before the first check, so their
 * start-up never counts against a check's time limit.
 */
export function harnessStarting(startup: Promise<unknown>): void {
  const registry = globalThis as { [STARTUPS]?: Array<Promise<unknown>> };
  (registry[STARTUPS] ??= []).push(startup);
}

export function harnessStartups(): Array<Promise<unknown>> {
  return (globalThis as { [STARTUPS]?: Array<Promise<unknown>> })[STARTUPS] ?? [];
}

/**
 * End this process group as soon as the process that started it is gone. A
 * worker thread watches, so it works while learner code blocks this process's
 * own event loop.
 */
export function watchParent(): void {
  const watcher = new Worker(
    `const { workerData } = require('node:worker_threads');
     setInterval(() => {
       if (process.ppid === workerData.parent) return;
       try { process.kill(-workerData.group, 'SIGKILL'); } catch {}
       try { process.kill(workerData.group, 'SIGKILL'); } catch {}
     }, 200);`,
    { eval: true, execArgv: [], env: {}, workerData: { parent: process.ppid, group: process.pid } },
  );
  watcher.unref();
}
