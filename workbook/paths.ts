// Where things live on disk. Everything is resolved from the repository root so
// the CLI works from any working directory.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { ChapterSpec, Tree } from './types.ts';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const workbookDir = path.join(root, '.workbook');
/** Overridable so tests (and the site's tests) never touch a learner's real results. */
export const resultsDir = process.env.WORKBOOK_RESULTS_DIR
  ? path.resolve(process.env.WORKBOOK_RESULTS_DIR)
  : path.join(workbookDir, 'results');
export const backupsDir = path.join(workbookDir, 'backups');
/** Progress exports for a team page; a team lead points TEAM_PROGRESS_DIR at the collected files. */
export const progressDir = path.resolve(process.env.TEAM_PROGRESS_DIR ?? path.join(workbookDir, 'progress'));

/**
 * The learner's copy normally is chapters/ itself. WORKBOOK_LEARNER_ROOT points
 * it elsewhere (inside the repository, so packages still resolve): the engine's
 * own tests use it to score broken fixtures without touching chapters/.
 */
export function chapterDir(tree: Tree, chapter: ChapterSpec): string {
  const base = tree === 'chapters' && process.env.WORKBOOK_LEARNER_ROOT ? process.env.WORKBOOK_LEARNER_ROOT : path.join(root, tree);
  return path.join(base, chapter.slug);
}

/** Where the committed starter of a learner file is, as git names it. */
export function starterGitPath(chapter: ChapterSpec, file: string): string {
  return `chapters/${chapter.slug}/${file}`;
}

export function checkFile(chapter: ChapterSpec): string {
  return path.join(root, 'test', 'chapters', `${chapter.slug}.check.ts`);
}

export function benchFile(chapter: ChapterSpec): string {
  return path.join(root, 'bench', `${chapter.slug}.bench.ts`);
}

/** The committed scorecard of the reference solution (see results.ts). */
export function referenceFile(slug: string): string {
  return path.join(root, 'bench', 'reference', `${slug}.json`);
}

export function lessonFile(chapter: ChapterSpec): string {
  return path.join(root, 'chapters', chapter.slug, 'lesson.mdx');
}

/** A path as a learner would type it: relative to the repository root. */
export function relative(file: string): string {
  return path.relative(root, file) || '.';
}
