// How a chapter's checks are declared: `check(id, fn)` is a vitest test whose
// name must be one of the manifest's check ids, so the scorecard, the hints and
// the starters suite can never drift from the tests that back them.
import { writeFileSync } from 'node:fs';
import { test } from 'vitest';
import { findChapter } from './chapters.ts';
import { currentTree, loadSubject } from './subject.ts';

export interface CheckOptions {
  /** Per-check budget in ms; a check that runs longer fails with a timeout. */
  timeout?: number;
}

export function defineChecks(chapterNumber: number) {
  const chapter = findChapter(chapterNumber);
  const known = new Set(chapter.checks.map((c) => c.id));
  return {
    chapter,
    tree: currentTree(),
    subject: <Module>(file: string) => loadSubject<Module>(chapterNumber, file),
    check(id: string, fn: () => Promise<void> | void, options: CheckOptions = {}): void {
      if (!known.has(id)) {
        throw new Error(`check "${id}" is not in chapter ${chapterNumber}'s manifest entry (workbook/manifest.ts)`);
      }
      test(
        id,
        async () => {
          markRunning(id);
          await fn();
        },
        options.timeout ?? 5_000,
      );
    },
  };
}

/**
 * Note which check is starting in a file the engine reads if the run hangs. A
 * synchronous infinite loop stops the worker from reporting anything else, but
 * this write has already happened.
 */
function markRunning(id: string): void {
  const marker = process.env.WORKBOOK_CHECK_MARKER;
  if (marker) writeFileSync(marker, id);
}
