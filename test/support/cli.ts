// Runs the workbook CLI the way a learner does, for the engine's own tests.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findChapter } from '../../workbook/chapters.ts';
import { chapterDir, root, starterGitPath, workbookDir } from '../../workbook/paths.ts';
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
 * A learner tree holding the starter as committed, so `npm test` grades the
 * workbook's starters even after a learner has worked on chapters/. Files git
 * does not know yet (a chapter being written) come from the working copy.
 */
export function committedStarter(chapterNumber: number) {
  const chapter = findChapter(chapterNumber);
  const learner = learnerFixture(chapterNumber, 'chapters');
  for (const file of chapter.files) {
    try {
      learner.write(
        file,
        execFileSync('git', ['show', `HEAD:${starterGitPath(chapter, file)}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
      );
    } catch {
      // Not committed yet: keep the working copy.
    }
  }
  return learner;
}

/**
 * A throwaway learner tree inside .workbook/ holding a copy of one chapter's
 * files, for scoring broken variants without touching chapters/.
 */
export function learnerFixture(chapterNumber: number, from: 'chapters' | 'solutions' = 'solutions') {
  const chapter = findChapter(chapterNumber);
  mkdirSync(workbookDir, { recursive: true });
  const learnerRoot = mkdtempSync(path.join(workbookDir, 'fixture-'));
  cpSync(chapterDir(from, chapter), path.join(learnerRoot, chapter.slug), { recursive: true });
  const file = (name: string) => path.join(learnerRoot, chapter.slug, name);
  return {
    env: { WORKBOOK_LEARNER_ROOT: learnerRoot },
    read: (name: string) => readFileSync(file(name), 'utf8'),
    write: (name: string, text: string) => writeFileSync(file(name), text),
    path: file,
    root: learnerRoot,
    remove: () => rmSync(learnerRoot, { recursive: true, force: true }),
  };
}
