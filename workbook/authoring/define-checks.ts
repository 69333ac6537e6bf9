// How a chapter's checks are declared: `check(id, fn)` is a vitest test whose
// name must be one of the spec's check ids, so the scorecard, the hints and
// the starters suite can never drift from the tests that back them.
import { afterEach, test } from 'vitest';
import { findChapter } from '../find-chapter.ts';
import type { Measurement } from '../types.ts';
import { assertInstrumentsIntact } from './lock-grader.ts';
import { currentTree, loadSubject } from './subject.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** Figures a check reported about its own scenario (see CheckContext.report). */
    workbookMeasurements?: Measurement[];
  }
}

export interface CheckOptions {
  /** Per-check budget in ms; a check that runs longer fails with a timeout. */
  timeout?: number;
}

export interface CheckContext {
  /**
   * Report a figure this check's scenario produced (a count: round trips,
   * connections, peak in flight). The metric is graded like a bench's, but
   * its number comes from the scenario that the check's verdict is about.
   */
  report(measurement: Measurement): void;
}

export function defineChecks(chapterNumber: number) {
  const chapter = findChapter(chapterNumber);
  const known = new Set(chapter.checks.map((c) => c.id));
  const metrics = new Set(chapter.metrics.map((m) => m.id));
  // A check passed with a replaced clock or matcher proves nothing: fail it.
  afterEach(assertInstrumentsIntact);
  return {
    chapter,
    tree: currentTree(),
    subject: <Module>(file: string) => loadSubject<Module>(chapterNumber, file),
    check(id: string, fn: (context: CheckContext) => Promise<void> | void, options: CheckOptions = {}): void {
      if (!known.has(id)) {
        throw new Error(`check "${id}" is not in chapter ${chapterNumber}'s spec (test/chapters/${chapter.slug}/spec.ts)`);
      }
      test(
        id,
        async ({ task }) => {
          const reported: Measurement[] = [];
          task.meta.workbookMeasurements = reported;
          await fn({
            report(measurement) {
              if (!metrics.has(measurement.id)) {
                throw new Error(`metric "${measurement.id}" is not in chapter ${chapterNumber}'s spec`);
              }
              // As in the bench: a figure read with a replaced clock or memory reading is not reported.
              assertInstrumentsIntact();
              reported.push(measurement);
            },
          });
        },
        options.timeout ?? 5_000,
      );
    },
  };
}

