// Loads the code under test from the tree being scored. Checks and benches
// name a learner file; WORKBOOK_TREE decides whether the learner's copy in
// chapters/ or the reference in solutions/ answers.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findChapter } from '../find-chapter.ts';
import { chapterDir, engineSetting } from '../paths.ts';
import type { Tree } from '../types.ts';
import { lockGrader } from './lock-grader.ts';

export function currentTree(): Tree {
  const tree = engineSetting('WORKBOOK_TREE') ?? 'solutions';
  if (tree !== 'chapters' && tree !== 'solutions') {
    throw new Error(`WORKBOOK_TREE must be "chapters" or "solutions", not "${tree}"`);
  }
  return tree;
}

/**
 * Import one of a chapter's learner files from the current tree. The type
 * parameter is the reference module's type, so checks are written against the
 * contract the lesson sets.
 */
export async function loadSubject<Module>(chapterNumber: number, file: string): Promise<Module> {
  const chapter = findChapter(chapterNumber);
  if (!chapter.files.includes(file)) {
    throw new Error(`${file} is not one of chapter ${chapterNumber}'s files (${chapter.files.join(', ')})`);
  }
  const url = pathToFileURL(path.join(chapterDir(currentTree(), chapter), file)).href;
  lockGrader();
  return (await import(url)) as Module;
}
