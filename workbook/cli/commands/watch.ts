// Rescore on every save. Each run scores one snapshot of the files, taken when
// it starts; a save that lands while a run is going brings another run when it
// ends, so the last scorecard on screen always matches the files on disk.
//
// The folder is watched, not the files: editors that save by writing a new
// file and renaming it over the old one (vim, sed -i, many IDEs) replace the
// file's inode, and a watch on the old inode goes deaf. A poll of the files'
// contents every second backs the watch up, so a missed event (or a watch the
// system dropped) only delays a rescore, never loses it.
import { watch, type FSWatcher } from 'node:fs';
import { dim } from '../format.ts';
import { chapterDir, relative } from '../../paths.ts';
import type { ChapterSpec, Tree } from '../../types.ts';
import { prepareRun, type PreparedRun } from '../../running/run-chapter.ts';
import { fingerprint, isDirectory } from '../../running/run-dir.ts';
import { printScorecard, scoreWithProgress } from './score.ts';

const DEBOUNCE_MS = 100;
const POLL_MS = 1_000;

export interface WatchOptions {
  /** One JSON object per scorecard on stdout (tools, and the engine's tests). */
  json?: boolean;
  checksOnly?: boolean;
}

export function watchChapter(chapter: ChapterSpec, tree: Tree, { json = false, checksOnly = false }: WatchOptions = {}): Promise<number> {
  const dir = chapterDir(tree, chapter);
  // The next run's processes start while the learner edits, so a save only
  // pays for the checks and measurements themselves. Measuring beside the
  // checks keeps a rescore quick too. (Ctrl-C ends them: see main.ts.)
  const prepare = (): PreparedRun => prepareRun({ chapter, tree, overlap: true, checksOnly });
  let next = prepare();
  let running = false;
  let scored: string | undefined;
  const current = () => fingerprint(chapter, dir);

  const run = async () => {
    // A save during a run is picked up when it ends (below).
    if (running) return;
    running = true;
    try {
      do {
        const prepared = next;
        if (process.stdout.isTTY && !json) process.stdout.write('\u001b[2J\u001b[H');
        const card = await scoreWithProgress(chapter, tree, prepared, { checksOnly, save: !checksOnly });
        scored = prepared.fingerprint;
        next = prepare();
        if (json) {
          process.stdout.write(`${JSON.stringify({ scored, card })}\n`);
        } else {
          printScorecard(chapter, card);
          console.log(dim(`Watching ${relative(dir)} — save a file to rescore, Ctrl-C to stop.`));
          console.log(dim('Figures in watch mode are measured while the checks run; run without --watch for quieter ones.'));
        }
        // A save during the run (its event may have come before the snapshot, or not at all).
      } while (current() !== scored);
    } finally {
      running = false;
    }
  };

  let debounce: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(debounce);
    // Editors write a file in several steps; wait for them to finish.
    debounce = setTimeout(() => void run(), DEBOUNCE_MS);
  };

  let watcher: FSWatcher | undefined;
  const startWatching = () => {
    if (watcher || !isDirectory(dir)) return;
    try {
      const opened = watch(dir, (_event, file) => {
        if (!file || chapter.files.includes(String(file))) changed();
      });
      opened.on('error', () => {
        // The folder was removed or replaced: the poll watches again once it is back.
        opened.close();
        if (watcher === opened) watcher = undefined;
      });
      watcher = opened;
    } catch {
      watcher = undefined;
    }
  };
  startWatching();
  setInterval(() => {
    startWatching();
    if (!running && scored !== undefined && current() !== scored) void run();
  }, POLL_MS);

  void run();
  return new Promise(() => {}); // Runs until Ctrl-C.
}
