// One folder per scoring run, under .workbook/runs/: the snapshot of the
// learner's files that every process of the run reads, the check journal, and
// the heartbeat files. Removed when the run ends, when the CLI exits however it
// exits, and (for a CLI that was killed outright) by the next CLI to start.
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { runsDir } from '../paths.ts';
import type { ChapterSpec } from '../types.ts';
import { isAlive } from './process-table.ts';

export interface RunDir {
  path: string;
  /** Where the snapshot's chapter folders go (WORKBOOK_SNAPSHOT in the children). */
  snapshotRoot: string;
  /** A short id for this run's data on real services (schema and key names). */
  namespace: string;
  remove(): void;
}

const open = new Set<string>();
let exitHandlerInstalled = false;

export function createRunDir(): RunDir {
  sweepAbandonedRuns();
  mkdirSync(runsDir, { recursive: true });
  const stamp = Date.now().toString(36);
  const random = randomBytes(3).toString('hex');
  // The CLI's pid first: a later CLI removes folders whose owner is gone.
  const dir = path.join(runsDir, `${process.pid}-${stamp}-${random}`);
  mkdirSync(dir, { recursive: true });
  open.add(dir);
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.on('exit', removeAllRunDirs);
  }
  return {
    path: dir,
    snapshotRoot: path.join(dir, 'learner'),
    namespace: `${stamp}${random}`,
    remove() {
      open.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Remove every run folder this CLI still has (the CLI is exiting). */
export function removeAllRunDirs(): void {
  for (const dir of open) rmSync(dir, { recursive: true, force: true });
  open.clear();
}

/** Folders left by a CLI that was killed before it could clean up. */
function sweepAbandonedRuns(): void {
  if (!existsSync(runsDir)) return;
  for (const name of readdirSync(runsDir)) {
    const owner = Number(name.split('-')[0]);
    if (!Number.isInteger(owner) || owner === process.pid || isAlive(owner)) continue;
    rmSync(path.join(runsDir, name), { recursive: true, force: true });
  }
}

/** Files of a chapter folder that belong in a snapshot: code and data, not the lesson. */
function snapshotFilter(source: string): boolean {
  const name = path.basename(source);
  return name !== 'node_modules' && name !== 'lesson.mdx' && !name.startsWith('.');
}

/**
 * Copy the learner's chapter folder as it is now into the run's snapshot, and
 * return a fingerprint of the chapter's files (what watch mode compares).
 */
export function takeSnapshot(run: RunDir, chapter: ChapterSpec, learnerDir: string): string {
  const target = path.join(run.snapshotRoot, chapter.slug);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  if (existsSync(learnerDir)) cpSync(learnerDir, target, { recursive: true, filter: snapshotFilter });
  return fingerprint(chapter, target);
}

/** A hash of the chapter's files' contents (a missing file counts as missing). */
export function fingerprint(chapter: ChapterSpec, dir: string): string {
  const hash = createHash('sha1');
  for (const file of [...chapter.files].sort()) {
    hash.update(`${file}\0`);
    try {
      hash.update(readFileSync(path.join(dir, file)));
    } catch {
      hash.update('\0missing\0');
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether the folder exists and is a directory (a learner may have deleted it). */
export function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
