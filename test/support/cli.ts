// Runs the workbook CLI the way a learner does, for the engine's own tests.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findChapter } from '../../workbook/chapters.ts';
import { root, workbookDir } from '../../workbook/paths.ts';
import { temporaryLearnerTree } from '../../workbook/starters.ts';
import type { Scorecard } from '../../workbook/types.ts';

/** Where the engine's own test runs write results: never the learner's folder. */
export const testResultsDir = path.join(workbookDir, 'test-results');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 170_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'workbook', 'cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', WORKBOOK_RESULTS_DIR: testResultsDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function scoreJson(chapterNumber: number, tree: 'chapters' | 'solutions', env: Record<string, string> = {}) {
  const run = await runCli([String(chapterNumber), '--json', ...(tree === 'solutions' ? ['--solution'] : [])], env);
  try {
    return { run, card: JSON.parse(run.stdout) as Scorecard };
  } catch {
    throw new Error(`chapter ${chapterNumber} (${tree}) printed no scorecard (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/**
 * A throwaway copy of one chapter for scoring broken variants without touching
 * chapters/ (see workbook/starters.ts).
 */
export function learnerFixture(chapterNumber: number, from: 'chapters' | 'solutions' = 'solutions') {
  const tree = temporaryLearnerTree(findChapter(chapterNumber), from);
  return {
    ...tree,
    read: (name: string) => readFileSync(tree.file(name), 'utf8'),
    write: (name: string, text: string) => writeFileSync(tree.file(name), text),
  };
}
