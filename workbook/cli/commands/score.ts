// Score a chapter once: live progress on stderr, the scorecard on stdout, the
// result saved for the site and for `progress`.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dim } from '../format.ts';
import { chapterDir, relative } from '../../paths.ts';
import { chapters } from '../../manifest.ts';
import { renderScorecard } from '../render-scorecard.ts';
import { saveBaseline, saveResult } from '../../grading/results.ts';
import { publishedStarterTree } from '../../running/starter-tree.ts';
import { runChapter, type PreparedRun, type ScoredCard } from '../../running/run-chapter.ts';
import { UsageError } from '../args.ts';
import type { ChapterSpec, Scorecard, Tree } from '../../types.ts';

export interface ScoreOptions {
  /** true: the scorecard as JSON on stdout; a path: JSON to that file, the scorecard on stdout. */
  json?: true | string;
  saveReference?: boolean;
  checksOnly?: boolean;
  save?: boolean;
  /** Say what to run next after a pass (not for variants). */
  showNext?: boolean;
}

export async function scoreChapter(chapter: ChapterSpec, tree: Tree, options: ScoreOptions): Promise<number> {
  // Recording the starter's baseline scores the starter as published, never the learner's edits.
  const published = options.saveReference && tree === 'chapters' ? publishedStarterTree(chapter) : undefined;
  if (published) process.env.WORKBOOK_LEARNER_ROOT = published.root;
  const card = await scoreWithProgress(chapter, tree, undefined, {
    checksOnly: options.checksOnly ?? false,
    // A partial run or a baseline is not the learner's result: it would read as progress it is not.
    save: (options.save ?? true) && !options.checksOnly && !options.saveReference,
  }).finally(() => published?.remove());
  if (options.saveReference) {
    const file = await saveBaseline(card, tree === 'solutions' ? 'reference' : 'starter');
    console.error(dim(`saved ${relative(file)}`));
  }
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(card, null, 2)}\n`);
  } else {
    if (typeof options.json === 'string') await writeJson(options.json, card, chapter);
    printScorecard(chapter, card, { showNext: options.showNext ?? true });
  }
  return card.verdict === 'pass' ? 0 : 1;
}

async function writeJson(file: string, card: Scorecard, chapter: ChapterSpec): Promise<void> {
  const target = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
  try {
    await writeFile(target, `${JSON.stringify(card, null, 2)}\n`);
  } catch (error) {
    throw new UsageError(
      `could not write the scorecard to ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      `npm run chapter ${chapter.number} -- --json=${path.join('/tmp', path.basename(file))}`,
    );
  }
  console.error(dim(`Scorecard JSON written to ${target}`));
}

/** Score a chapter, or a run prepared ahead of time (watch mode), showing progress. */
export async function scoreWithProgress(
  chapter: ChapterSpec,
  tree: Tree,
  prepared?: PreparedRun,
  { checksOnly = false, save = true } = {},
): Promise<ScoredCard> {
  const status = statusLine();
  try {
    const card = prepared
      ? await prepared.start(status.update)
      : await runChapter({ chapter, tree, checksOnly, onProgress: status.update });
    if (save) await saveResult(card);
    return card;
  } finally {
    status.clear();
  }
}

export function printScorecard(chapter: ChapterSpec, card: ScoredCard, { showNext = false } = {}): void {
  const files = chapter.files.map((f) => relative(path.join(chapterDir(card.tree, chapter), f)));
  console.log(renderScorecard(card, files, showNext && card.tree === 'chapters' ? nextStep(chapter) : undefined));
}

/** What a learner runs after passing this chapter. */
export function nextStep(chapter: ChapterSpec): string {
  const next = chapters.find((c) => c.number > chapter.number);
  if (next) return `npm run chapter ${next.number}   (${next.title})`;
  return 'that was the last chapter. See where you stand: npm run chapter progress; the reference server puts them together: npm run server';
}

/** One line on stderr that rewrites itself on a terminal, and says nothing when piped. */
function statusLine() {
  const live = process.stderr.isTTY;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let label = 'starting';
  let frame = 0;
  const started = Date.now();
  const draw = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\r\u001b[2K${frames[frame++ % frames.length]} ${label} ${dim(`${seconds} s`)}`);
  };
  const timer = live ? setInterval(draw, 100) : undefined;
  return {
    update(next: string) {
      label = next;
    },
    clear() {
      if (timer) clearInterval(timer);
      if (live) process.stderr.write('\r\u001b[2K');
    },
  };
}
