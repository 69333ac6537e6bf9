// One scratch folder per `vitest run`, removed when the run ends. The suites'
// learner trees and result folders go inside it: a worker's own exit handler
// does not run when vitest ends the worker, and every run used to leave its
// copies behind in .workbook/ and the system's temp folder. The published
// starters are written here once, before any test's timeout starts: each CLI
// suite used to copy them inside its first test (about 40 git commands, over
// 10 s at a load average of 9).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { chapters } from '../../workbook/manifest.ts';
import { workbookDir } from '../../workbook/paths.ts';
import { writePublishedStarter } from '../../workbook/running/starter-tree.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** Inside .workbook/, so the project's packages resolve from learner trees made in it. */
    testRunDir: string;
    /** Every chapter's published starter: what `chapters/` means to the engine's tests. */
    scratchLearnerRoot: string;
  }
}

export function setup(project: TestProject): () => void {
  mkdirSync(workbookDir, { recursive: true });
  const dir = mkdtempSync(path.join(workbookDir, 'test-run-'));
  project.provide('testRunDir', dir);
  const starters = mkdtempSync(path.join(dir, 'learner-'));
  for (const chapter of chapters) writePublishedStarter(chapter, path.join(starters, chapter.slug));
  project.provide('scratchLearnerRoot', starters);
  return () => rmSync(dir, { recursive: true, force: true });
}
