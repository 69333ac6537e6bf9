// Where things live on disk. Everything is resolved from the repository root so
// the CLI works from any working directory.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { ChapterSpec, Tree } from './types.ts';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const workbookDir = path.join(root, '.workbook');
export const resultsDir = path.join(workbookDir, 'results');
export const backupsDir = path.join(workbookDir, 'backups');

export function chapterDir(tree: Tree, chapter: ChapterSpec): string {
  return path.join(root, tree, chapter.slug);
}

export function checkFile(chapter: ChapterSpec): string {
  return path.join(root, 'test', 'chapters', `${chapter.slug}.check.ts`);
}

export function benchFile(chapter: ChapterSpec): string {
  return path.join(root, 'bench', `${chapter.slug}.bench.ts`);
}

export function lessonFile(chapter: ChapterSpec): string {
  return path.join(root, 'chapters', chapter.slug, 'lesson.mdx');
}

/** A path as a learner would type it: relative to the repository root. */
export function relative(file: string): string {
  return path.relative(root, file) || '.';
}
