// Score a chapter once: live progress on stderr, the scorecard on stdout, the
// result saved for the site and for `progress`.
import path from 'node:path';
import { dim } from '../format.ts';
import { relative } from '../paths.ts';
import { chapterDir } from '../paths.ts';
import { renderScorecard } from '../render.ts';
import { saveReference, saveResult } from '../results.ts';
import { runChapter, type PreparedRun } from '../run.ts';
import type { ChapterSpec, Scorecard, Tree } from '../types.ts';

export async function scoreChapter(
  chapter: ChapterSpec,
  tree: Tree,
  options: { json: boolean; saveReference?: boolean },
): Promise<number> {
  const card = await scoreWithProgress(chapter, tree);
  if (options.saveReference) {
    if (tree !== 'solutions') throw new Error('--save-reference records the reference solution: add --solution');
    await saveReference(card);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(card, null, 2)}\n`);
  else printScorecard(chapter, card);
  return card.verdict === 'pass' ? 0 : 1;
}

/** Score a chapter, or a run prepared ahead of time (watch mode), showing progress. */
export async function scoreWithProgress(chapter: ChapterSpec, tree: Tree, prepared?: PreparedRun): Promise<Scorecard> {
  const status = statusLine();
  try {
    const card = prepared ? await prepared.start(status.update) : await runChapter({ chapter, tree, onProgress: status.update });
    await saveResult(card);
    return card;
  } finally {
    status.clear();
  }
}

export function printScorecard(chapter: ChapterSpec, card: Scorecard): void {
  const files = chapter.files.map((f) => relative(path.join(chapterDir(card.tree, chapter), f)));
  console.log(renderScorecard(card, files));
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
