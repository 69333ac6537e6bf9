// The one module that knows where scorecards live on disk. Every run leaves a
// JSON result under .workbook/results/<slug>/ (git-ignored): `<tree>-<time>.json`
// for the history and `latest-<tree>.json` for the newest. Two committed
// baselines sit beside each chapter's measurements: bench/<slug>/reference.json
// (the reference solution) and bench/<slug>/starter.json (the published starter),
// so the site can compare on a fresh clone. The CLI, `progress` and the site
// all read through here.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { root, resultsDir } from '../paths.ts';
import type { ChapterSpec, Scorecard, Tree } from '../types.ts';

export type Baseline = 'reference' | 'starter';

/** The committed scorecard of the reference solution or of the published starter. */
export function baselineFile(slug: string, baseline: Baseline): string {
  return path.join(root, 'bench', slug, `${baseline}.json`);
}

function chapterResultsDir(slug: string): string {
  return path.join(resultsDir, slug);
}

/**
 * The CPU profile a chapter's bench captured on a tree's last run (chapter 9):
 * `profile-<tree>.cpuprofile` beside the results, and the flame graph drawn
 * from it as `profile-<tree>.svg` (see workbook/profiles/).
 */
export function profileFile(slug: string, tree: Tree, extension: 'cpuprofile' | 'svg' = 'cpuprofile'): string {
  return path.join(chapterResultsDir(slug), `profile-${tree}.${extension}`);
}

/** The reference solution's CPU profile, committed beside its scorecard so a fresh clone has a flame graph. */
export function baselineProfileFile(slug: string): string {
  return path.join(root, 'bench', slug, 'reference.cpuprofile');
}

/**
 * What a path under the results folder is, if it is a latest-run file: the
 * site's live update watches the folder and announces these.
 */
export function latestResultAt(file: string): { slug: string; tree: Tree } | undefined {
  const match = /^([^/\\]+)[/\\]latest-(chapters|solutions)\.json$/.exec(path.relative(resultsDir, file));
  return match ? { slug: match[1]!, tree: match[2] as Tree } : undefined;
}

export async function saveResult(card: Scorecard): Promise<string> {
  const dir = chapterResultsDir(card.chapter.slug);
  await mkdir(dir, { recursive: true });
  const stamp = card.startedAt.replace(/[:.]/g, '-');
  const file = path.join(dir, `${card.tree}-${stamp}.json`);
  const body = `${JSON.stringify(card, null, 2)}\n`;
  await writeFile(file, body);
  await writeFile(path.join(dir, `latest-${card.tree}.json`), body);
  return file;
}

export async function saveBaseline(card: Scorecard, baseline: Baseline): Promise<string> {
  const file = baselineFile(card.chapter.slug, baseline);
  await writeFile(file, `${JSON.stringify(card, null, 2)}\n`);
  return file;
}

/** A scorecard from disk, or undefined when missing, half-written or hand-edited into something else. */
function readScorecard(file: string): Scorecard | undefined {
  try {
    const card = JSON.parse(readFileSync(file, 'utf8')) as Scorecard;
    return card && typeof card === 'object' && Array.isArray(card.checks) && Array.isArray(card.metrics) ? card : undefined;
  } catch {
    return undefined;
  }
}

/** All saved runs of a chapter for one tree, oldest first. */
export function readHistory(slug: string, tree: Tree = 'chapters'): Scorecard[] {
  const dir = chapterResultsDir(slug);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${tree}-`) && n.endsWith('.json'))
    .sort()
    .map((n) => readScorecard(path.join(dir, n)))
    .filter((card): card is Scorecard => card !== undefined);
}

/** The newest run (latest-<tree>.json, else the newest history file). */
export function readLatest(slug: string, tree: Tree = 'chapters'): Scorecard | undefined {
  return readScorecard(path.join(chapterResultsDir(slug), `latest-${tree}.json`)) ?? readHistory(slug, tree).at(-1);
}

/** A committed baseline; the reference falls back to a local `--solution` run. */
export function readBaseline(slug: string, baseline: Baseline): Scorecard | undefined {
  const card = readScorecard(baselineFile(slug, baseline));
  return card ?? (baseline === 'reference' ? readLatest(slug, 'solutions') : undefined);
}

/** All saved runs of a chapter for one tree, oldest first (for callers that await). */
export async function loadHistory(chapter: ChapterSpec, tree: Tree): Promise<Scorecard[]> {
  return readHistory(chapter.slug, tree);
}

/** What the reference server's tools write: `npm run loadtest` and `npm run bench:servers`. */
export type ServerResult = 'loadtest' | 'bench-servers';

export function serverResultFile(name: ServerResult): string {
  return path.join(resultsDir, 'server', `${name}.json`);
}

/** The latest server result, or undefined before the tool has run (or while it writes). */
export function readServerResult<T>(name: ServerResult): T | undefined {
  try {
    return JSON.parse(readFileSync(serverResultFile(name), 'utf8')) as T;
  } catch {
    return undefined;
  }
}
