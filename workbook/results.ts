// Every run leaves a JSON result under .workbook/results/<slug>/ (git-ignored):
// the site charts them and `progress` reads them back.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { referenceFile, resultsDir } from './paths.ts';
import type { ChapterSpec, Scorecard, Tree } from './types.ts';

export async function saveResult(card: Scorecard): Promise<string> {
  const dir = path.join(resultsDir, card.chapter.slug);
  await mkdir(dir, { recursive: true });
  const stamp = card.startedAt.replace(/[:.]/g, '-');
  const file = path.join(dir, `${card.tree}-${stamp}.json`);
  const body = `${JSON.stringify(card, null, 2)}\n`;
  await writeFile(file, body);
  await writeFile(path.join(dir, `latest-${card.tree}.json`), body);
  return file;
}

/** All saved runs of a chapter for one tree, oldest first. */
export async function loadHistory(chapter: ChapterSpec, tree: Tree): Promise<Scorecard[]> {
  const dir = path.join(resultsDir, chapter.slug);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const runs = names.filter((n) => n.startsWith(`${tree}-`) && n.endsWith('.json')).sort();
  const cards = await Promise.all(
    runs.map(async (n) => {
      try {
        return JSON.parse(await readFile(path.join(dir, n), 'utf8')) as Scorecard;
      } catch {
        return undefined; // A half-written or hand-edited file should not break progress.
      }
    }),
  );
  return cards.filter((c): c is Scorecard => c !== undefined);
}

/**
 * The reference solution's scorecard, committed under bench/reference/ so the
 * site can show reference figures on a fresh clone with no runs of its own.
 */
export async function saveReference(card: Scorecard): Promise<void> {
  await writeFile(referenceFile(card.chapter.slug), `${JSON.stringify(card, null, 2)}\n`);
}
