// Rescore on every save. Saves that land while a run is going queue one rerun,
// so the scorecard on screen always matches the file on disk.
import { watch } from 'node:fs';
import { dim } from '../format.ts';
import { chapterDir, relative } from '../paths.ts';
import type { ChapterSpec, Tree } from '../types.ts';
import { prepareRun } from '../run.ts';
import { printScorecard, scoreWithProgress } from './score.ts';

export function watchChapter(chapter: ChapterSpec, tree: Tree): Promise<number> {
  const dir = chapterDir(tree, chapter);
  let running = false;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  // The next run's processes start while the learner edits, so a save only
  // pays for the checks and measurements themselves. Measuring beside the
  // checks keeps a rescore quick too.
  const prepare = () => prepareRun({ chapter, tree, overlap: true });
  let next = prepare();
  // Ctrl-C (or a terminal closing): end the waiting processes too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      next.cancel();
      process.exit(130);
    });
  }

  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      if (process.stdout.isTTY) process.stdout.write('\u001b[2J\u001b[H');
      const card = await scoreWithProgress(chapter, tree, next);
      next = prepare();
      printScorecard(chapter, card);
      console.log(dim(`Watching ${relative(dir)} — save a file to rescore, Ctrl-C to stop.`));
      console.log(dim('Figures in watch mode are measured while the checks run; run without --watch for quieter ones.'));
    } while (again);
    running = false;
  };

  watch(dir, { recursive: true }, (_event, file) => {
    if (!file || !chapter.files.some((f) => file.endsWith(f))) return;
    clearTimeout(debounce);
    // Editors write a file in several steps; wait for them to finish.
    debounce = setTimeout(() => void run(), 100);
  });
  void run();
  return new Promise(() => {}); // Runs until Ctrl-C.
}
