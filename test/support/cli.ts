// Runs the workbook CLI the way a learner does, for the engine's own tests.
//
// Never on the learner's own state: every run gets a scratch copy of the
// published starters as its learner tree (so whatever the learner did to
// chapters/ changes nothing), and scratch folders for results, backups and
// progress exports (so nothing lands in the learner's .workbook/).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { findChapter } from '../../workbook/find-chapter.ts';
import { root } from '../../workbook/paths.ts';
import { publishedStarterText, temporaryLearnerTree } from '../../workbook/running/starter-tree.ts';
import type { Scorecard } from '../../workbook/types.ts';

// Inside the run's folder (test/support/global-setup.ts), which the run removes.
const scratch = mkdtempSync(path.join(inject('testRunDir'), 'scratch-'));

/** Where the engine's own test runs write results, backups and exports: never the learner's folders. */
export const testResultsDir = path.join(scratch, 'results');
export const testBackupsDir = path.join(scratch, 'backups');
export const testProgressDir = path.join(scratch, 'progress');

/**
 * A learner root inside .workbook/ (packages resolve from there) holding every
 * chapter's published starter: what `chapters/` means to the engine's tests.
 * Written once per run by the global setup, before any test's clock starts.
 */
export function scratchLearnerRoot(): string {
  return inject('scratchLearnerRoot');
}

/** The environment every CLI run of the engine's tests gets (overridable per run). */
export function scratchEnv(): Record<string, string> {
  return {
    NO_COLOR: '1',
    WORKBOOK_RESULTS_DIR: testResultsDir,
    WORKBOOK_BACKUPS_DIR: testBackupsDir,
    TEAM_PROGRESS_DIR: testProgressDir,
    WORKBOOK_LEARNER_ROOT: scratchLearnerRoot(),
  };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a learner's terminal: without what the test runner itself set. */
function terminalEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === 'VITEST' || key.startsWith('VITEST_') || key === 'TEST' || key.startsWith('WORKBOOK_') || key.startsWith('npm_')) delete env[key];
  }
  if (env.NODE_ENV === 'test') delete env.NODE_ENV;
  return env;
}

/** Start the CLI without waiting for it (signal tests, watch mode). */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
): ChildProcess & { result: Promise<CliRun>; readonly stdoutSoFar: string } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'workbook', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...terminalEnv(), ...scratchEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  Object.defineProperty(child, 'stdoutSoFar', { get: () => stdout });
  return Object.assign(child, { result }) as ChildProcess & { result: Promise<CliRun>; readonly stdoutSoFar: string };
}

export async function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 170_000): Promise<CliRun> {
  const child = startCli(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await child.result;
  } finally {
    clearTimeout(timer);
  }
}

export async function scoreJson(
  chapterNumber: number,
  tree: 'chapters' | 'solutions',
  env: Record<string, string> = {},
  extra: string[] = [],
) {
  const run = await runCli([String(chapterNumber), '--json', ...(tree === 'solutions' ? ['--solution'] : []), ...extra], env);
  try {
    return { run, card: JSON.parse(run.stdout) as Scorecard & { output?: string; checks: Array<{ output?: string }> } };
  } catch {
    throw new Error(`chapter ${chapterNumber} (${tree}) printed no scorecard (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/**
 * A throwaway copy of one chapter for scoring broken variants without touching
 * chapters/ (see workbook/running/starter-tree.ts).
 */
export function learnerFixture(chapterNumber: number, from: 'chapters' | 'solutions' = 'solutions') {
  const chapter = findChapter(chapterNumber);
  const tree = temporaryLearnerTree(chapter, from);
  if (from === 'chapters') {
    // The published starter, not whatever the learner has made of chapters/.
    for (const file of chapter.files) {
      const text = publishedStarterText(chapter, file);
      if (text !== undefined) writeFileSync(tree.file(file), text);
    }
  }
  return {
    ...tree,
    read: (name: string) => readFileSync(tree.file(name), 'utf8'),
    write: (name: string, text: string) => writeFileSync(tree.file(name), text),
  };
}
