// Where things live on disk. Everything is resolved from the repository root so
// the CLI works from any working directory.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { ChapterSpec, Tree } from './types.ts';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The engine's own settings (WORKBOOK_*). In a child process that runs learner
 * code they are read once and removed from process.env before that code loads
 * (see running/child-env.ts), so the code under test cannot tell it is being
 * graded; engine modules read them through here either way.
 */
const ENGINE_SETTINGS = Symbol.for('workbook.engine-settings');
type Settings = Record<string, string | undefined>;

export function engineSetting(name: `WORKBOOK_${string}`): string | undefined {
  const captured = (globalThis as { [ENGINE_SETTINGS]?: Settings })[ENGINE_SETTINGS];
  return captured ? captured[name] : process.env[name];
}

/** Keep the engine's settings before they leave process.env (children only). */
export function captureEngineSettings(settings: Settings): void {
  (globalThis as { [ENGINE_SETTINGS]?: Settings })[ENGINE_SETTINGS] = { ...settings };
}

const fromSetting = (name: `WORKBOOK_${string}`, fallback: string) => {
  const value = engineSetting(name);
  return value ? path.resolve(value) : fallback;
};

export const workbookDir = path.join(root, '.workbook');
/** Overridable so tests (and the site's tests) never touch a learner's real results. */
export const resultsDir = fromSetting('WORKBOOK_RESULTS_DIR', path.join(workbookDir, 'results'));
/** Where `reset` keeps the file it replaces; overridable like resultsDir. */
export const backupsDir = fromSetting('WORKBOOK_BACKUPS_DIR', path.join(workbookDir, 'backups'));
/** Progress exports for a team page; a team lead points TEAM_PROGRESS_DIR at the collected files. */
export const progressDir = path.resolve(process.env.TEAM_PROGRESS_DIR ?? path.join(workbookDir, 'progress'));
/**
 * One folder per scoring run: the snapshot of the files being scored, the
 * check journal and the heartbeats. Inside the repository, so packages resolve.
 */
export const runsDir = path.join(workbookDir, 'runs');

/**
 * The learner's copy normally is chapters/ itself. WORKBOOK_LEARNER_ROOT points
 * it elsewhere (inside the repository, so packages still resolve): the engine's
 * own tests use it to score broken fixtures without touching chapters/.
 *
 * In the engine's child processes WORKBOOK_SNAPSHOT is set: the one copy of the
 * files this run scores, taken when the run started. Whatever tree a check or
 * bench asks for, it gets the snapshot, so every process of a run sees the same
 * files even if the learner saves again mid-run.
 */
export function chapterDir(tree: Tree, chapter: ChapterSpec): string {
  const snapshot = engineSetting('WORKBOOK_SNAPSHOT');
  if (snapshot) return path.join(snapshot, chapter.slug);
  const learnerRoot = engineSetting('WORKBOOK_LEARNER_ROOT');
  const base = tree === 'chapters' && learnerRoot ? learnerRoot : path.join(root, tree);
  return path.join(base, chapter.slug);
}

/** Where the committed starter of a learner file is, as git names it. */
export function starterGitPath(chapter: ChapterSpec, file: string): string {
  return `chapters/${chapter.slug}/${file}`;
}

export function checkFile(chapter: ChapterSpec): string {
  return path.join(root, 'test', 'chapters', chapter.slug, 'checks.ts');
}

export function benchFile(chapter: ChapterSpec): string {
  return path.join(root, 'bench', chapter.slug, 'measure.ts');
}


export function lessonFile(chapter: ChapterSpec): string {
  return path.join(root, 'chapters', chapter.slug, 'lesson.mdx');
}

/** A path as a learner would type it: relative to the repository root (absolute outside it). */
export function relative(file: string): string {
  const inside = path.relative(root, file);
  if (inside.startsWith('..') || path.isAbsolute(inside)) return path.resolve(file);
  return inside || '.';
}
