// Put the starter back. Your current file is copied to .workbook/backups/
// first, so a reset never loses work.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { green } from '../format.ts';
import { backupsDir, chapterDir, relative, starterGitPath } from '../paths.ts';
import { committedStarterText } from '../starters.ts';
import type { ChapterSpec } from '../types.ts';

export async function resetChapter(chapter: ChapterSpec): Promise<number> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const backup = path.join(backupsDir, chapter.slug, stamp);
  await mkdir(backup, { recursive: true });
  const files = chapter.files.map((file) => path.join(chapterDir('chapters', chapter), file));
  // Read every starter before touching anything, so a failure changes nothing.
  const starters = chapter.files.map((file) => {
    const text = committedStarterText(chapter, file);
    if (text === undefined) {
      throw new Error(
        `Could not read the starter for ${starterGitPath(chapter, file)} from git.\n` +
          'reset needs the workbook as a git clone. Nothing was changed.',
      );
    }
    return text;
  });
  for (const [i, learnerFile] of files.entries()) {
    await copyFile(learnerFile, path.join(backup, path.basename(learnerFile))).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error; // Nothing to back up if the file was deleted.
    });
    await writeFile(learnerFile, starters[i]!);
    console.log(`${green('✓')} ${relative(learnerFile)} restored to the starter`);
  }
  console.log(`  your previous version is in ${relative(backup)}/`);
  return 0;
}
