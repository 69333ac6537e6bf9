// Put the starter back, as published (not the learner's last commit: see
// starter-tree.ts). The current files are copied to the backups folder first,
// all of them before any is replaced, so a reset never loses work; if the
// backup cannot be written, nothing is changed.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dim, green } from '../format.ts';
import { backupsDir, chapterDir, relative, starterGitPath } from '../../paths.ts';
import { publishedStarter } from '../../running/starter-tree.ts';
import { UsageError } from '../args.ts';
import type { ChapterSpec } from '../../types.ts';

const why: Record<string, string> = {
  EPERM: 'operation not permitted',
  EACCES: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'part of the path is a file, not a folder',
  EEXIST: 'something is already there',
};

const reason = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return why[code] ? `${why[code]} (${code})` : code || (error as Error).message;
};

export async function resetChapter(chapter: ChapterSpec): Promise<number> {
  // Read every starter before touching anything, so a failure changes nothing.
  const starters = chapter.files.map((file) => {
    const starter = publishedStarter(chapter, file);
    if (!starter) {
      throw new UsageError(
        `git has no ${starterGitPath(chapter, file)} to restore: reset needs the workbook as a git clone. Nothing was changed`,
        'git clone <the workbook\'s repository URL>',
      );
    }
    return starter;
  });
  const dir = chapterDir('chapters', chapter);
  const files = chapter.files.map((file) => path.join(dir, file));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const backup = path.join(backupsDir, chapter.slug, stamp);
  const elsewhere = `WORKBOOK_BACKUPS_DIR=${path.join(os.tmpdir(), 'workbook-backups')} npm run chapter reset ${chapter.number}`;
  try {
    await mkdir(backup, { recursive: true });
    for (const file of files) if (existsSync(file)) await copyFile(file, path.join(backup, path.basename(file)));
  } catch (error) {
    throw new UsageError(`could not write the backup to ${relative(backup)}: ${reason(error)}. Nothing was changed`, elsewhere);
  }
  await mkdir(dir, { recursive: true }).catch(() => {});
  for (const [i, file] of files.entries()) {
    try {
      await writeFile(file, starters[i]!.text);
    } catch (error) {
      throw new UsageError(
        `could not write ${relative(file)}: ${reason(error)}. Your files are backed up in ${relative(backup)}/`,
        `npm run chapter reset ${chapter.number}`,
      );
    }
    console.log(`${green('✓')} ${relative(file)} restored to the starter`);
  }
  for (const note of new Set(starters.map((s) => s.note).filter(Boolean))) console.log(dim(`  note: ${note}`));
  console.log(`  your previous version is in ${relative(backup)}/`);
  return 0;
}
