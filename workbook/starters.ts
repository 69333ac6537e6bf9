// The starters as committed. Git history is their one copy: `reset` restores
// from it, and the engine's tests and agreement runs grade it, so a learner's
// work in chapters/ never changes what "the starter" means.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root, starterGitPath, workbookDir } from './paths.ts';
import type { ChapterSpec } from './types.ts';

/** The committed text of a learner file, or undefined if git does not have it. */
export function committedStarterText(chapter: ChapterSpec, file: string): string | undefined {
  try {
    return execFileSync('git', ['show', `HEAD:${starterGitPath(chapter, file)}`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

export interface LearnerTree {
  /** Environment that points the engine at this tree instead of chapters/. */
  env: { WORKBOOK_LEARNER_ROOT: string };
  root: string;
  file(name: string): string;
  remove(): void;
}

/**
 * A throwaway learner tree inside .workbook/ (so packages still resolve) with a
 * copy of one chapter, from chapters/ or solutions/.
 */
export function temporaryLearnerTree(chapter: ChapterSpec, from: 'chapters' | 'solutions'): LearnerTree {
  mkdirSync(workbookDir, { recursive: true });
  const learnerRoot = mkdtempSync(path.join(workbookDir, 'learner-'));
  cpSync(path.join(root, from, chapter.slug), path.join(learnerRoot, chapter.slug), { recursive: true });
  return {
    env: { WORKBOOK_LEARNER_ROOT: learnerRoot },
    root: learnerRoot,
    file: (name) => path.join(learnerRoot, chapter.slug, name),
    remove: () => rmSync(learnerRoot, { recursive: true, force: true }),
  };
}

/** A learner tree holding the committed starter (working copy for files git does not know yet). */
export function committedStarterTree(chapter: ChapterSpec): LearnerTree {
  const tree = temporaryLearnerTree(chapter, 'chapters');
  for (const file of chapter.files) {
    const text = committedStarterText(chapter, file);
    if (text !== undefined) writeFileSync(tree.file(file), text);
  }
  return tree;
}
