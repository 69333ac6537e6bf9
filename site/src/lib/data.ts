// Everything a page reads from disk: results, the reference scorecards,
// progress exports and lessons. Read on every render, so `npm run site` shows
// new files without a restart; a static build shows what was there at build time.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chapters } from '../../../workbook/manifest.ts';
import type { ChapterProgress } from '../../../workbook/progress.ts';
import { progressFrom } from '../../../workbook/progress.ts';
import { lessonFile, progressDir as teamProgressDir, referenceFile, relative, resultsDir, root } from '../../../workbook/paths.ts';
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

function isScorecard(value: unknown): value is Scorecard {
  const card = value as Scorecard | undefined;
  return !!card && typeof card === 'object' && Array.isArray(card.checks) && Array.isArray(card.metrics);
}

/** Every saved run of a chapter for one tree, oldest first. */
export function history(slug: string, tree: Tree = 'chapters'): Scorecard[] {
  const dir = path.join(resultsDir, slug);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${tree}-`) && n.endsWith('.json'))
    .sort()
    .map((n) => readJson<unknown>(path.join(dir, n)))
    .filter(isScorecard);
}

/** The learner's latest run (latest-<tree>.json, else the newest history file). */
export function latest(slug: string, tree: Tree = 'chapters'): Scorecard | undefined {
  const card = readJson<unknown>(path.join(resultsDir, slug, `latest-${tree}.json`));
  return isScorecard(card) ? card : history(slug, tree).at(-1);
}

/** The committed reference scorecard (bench/reference/<slug>.json), else a local reference run. */
export function reference(slug: string): Scorecard | undefined {
  const card = readJson<unknown>(referenceFile(slug));
  return isScorecard(card) ? card : latest(slug, 'solutions');
}

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
