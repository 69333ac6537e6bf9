// Everything a page reads from disk: results, the reference scorecards,
// progress exports and lessons. Read on every render, so `npm run site` shows
// new files without a restart; a static build shows what was there at build time.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chapters } from '../../../workbook/manifest.ts';
import type { ChapterProgress } from '../../../workbook/grading/progress.ts';
import { progressFrom } from '../../../workbook/grading/progress.ts';
import { readBaseline, readHistory, readLatest } from '../../../workbook/grading/results.ts';
import { lessonFile, progressDir as teamProgressDir, relative, root } from '../../../workbook/paths.ts';
import type { ChapterSpec, Scorecard, Tree } from '../../../workbook/types.ts';

export { chapters };

/** Where `npm run chapter progress -- --export` writes (TEAM_PROGRESS_DIR overrides it). */
export function progressDir(): string {
  return teamProgressDir;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined; // missing, half-written or hand-edited: treat as absent
  }
}

/** Every saved run of a chapter for one tree, oldest first. */
export const history = (slug: string, tree: Tree = 'chapters'): Scorecard[] => readHistory(slug, tree);

/** The learner's latest run. */
export const latest = (slug: string, tree: Tree = 'chapters'): Scorecard | undefined => readLatest(slug, tree);

/** The committed reference scorecard, else a local reference run. */
export const reference = (slug: string): Scorecard | undefined => readBaseline(slug, 'reference');

/** The committed scorecard of the published starter: where the learner began. */
export const starter = (slug: string): Scorecard | undefined => readBaseline(slug, 'starter');

/** Where the learner stands on a chapter — the same shape `npm run chapter progress` exports. */
export function progressOf(chapter: ChapterSpec): ChapterProgress {
  return progressFrom(chapter, history(chapter.slug));
}

export interface ProgressExport {
  learner: string;
  exportedAt: string;
  chapters: ChapterProgress[];
  file: string;
}

/** Every progress export in the team folder (*.json), by learner name. Unreadable files are listed apart. */
export function progressExports(): { exports: ProgressExport[]; unreadable: string[]; dir: string } {
  const dir = progressDir();
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    // no folder yet: an empty team
  }
  const exports: ProgressExport[] = [];
  const unreadable: string[] = [];
  for (const name of names) {
    const data = readJson<Partial<ProgressExport>>(path.join(dir, name));
    if (data && typeof data.learner === 'string' && Array.isArray(data.chapters)) {
      exports.push({ learner: data.learner, exportedAt: String(data.exportedAt ?? ''), chapters: data.chapters, file: name });
    } else unreadable.push(name);
  }
  exports.sort((a, b) => a.learner.localeCompare(b.learner));
  return { exports, unreadable, dir };
}

/** chapters/NN-slug/lesson.mdx, relative to the repository root. */
export function lessonPath(chapter: ChapterSpec): string {
  return relative(lessonFile(chapter));
}

export function hasLesson(chapter: ChapterSpec): boolean {
  return existsSync(lessonFile(chapter));
}

/** A source file of the repository, or undefined when it does not exist (yet). */
export function source(file: string): string | undefined {
  try {
    return readFileSync(path.join(root, file), 'utf8');
  } catch {
    return undefined;
  }
}

export function chapterBySlug(slug: string | undefined): ChapterSpec | undefined {
  return chapters.find((c) => c.slug === slug);
}
