// Variants: other people's answers to a chapter, kept beside its checks in
// test/chapters/NN-slug/variants/<name>/ with a variant.json that says whether
// they must pass or which ids they must fail. They prove the grader in both
// directions: a wrong answer is caught, and a right one written differently
// from the reference is not punished for it.
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { root } from '../paths.ts';
import type { ChapterSpec } from '../types.ts';
import { temporaryLearnerTree, type LearnerTree } from './starter-tree.ts';

export interface Variant {
  name: string;
  expect: 'pass' | 'fail';
  /** For a wrong variant: the check and metric ids it must fail (others may fail too). */
  fails: string[];
  /** What the variant gets wrong, or how it differs from the reference. */
  why: string;
  /** Does telling it apart need the bench? Otherwise only the checks (and the counts they report) run. */
  measure: boolean;
}

export function variantsDir(chapter: ChapterSpec): string {
  return path.join(root, 'test', 'chapters', chapter.slug, 'variants');
}

export function listVariants(chapter: ChapterSpec): Variant[] {
  const dir = variantsDir(chapter);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => readVariant(chapter, entry.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function readVariant(chapter: ChapterSpec, name: string): Variant {
  const file = path.join(variantsDir(chapter), name, 'variant.json');
  if (!existsSync(file)) {
    const known = listVariantNames(chapter);
    throw new Error(
      `Chapter ${chapter.number} has no variant "${name}".` + (known.length ? ` Variants: ${known.join(', ')}` : ' It has no variants.'),
    );
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Variant>;
  if (raw.expect !== 'pass' && raw.expect !== 'fail') throw new Error(`${file}: "expect" must be "pass" or "fail"`);
  if (raw.expect === 'fail' && !raw.fails?.length) throw new Error(`${file}: a failing variant must list the ids it fails`);
  return { name, expect: raw.expect, fails: raw.fails ?? [], why: raw.why ?? '', measure: raw.measure ?? false };
}

function listVariantNames(chapter: ChapterSpec): string[] {
  const dir = variantsDir(chapter);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/**
 * A learner tree holding the reference solution with the variant's files laid
 * over it: a variant only carries the files it changes.
 */
export function variantTree(chapter: ChapterSpec, variant: Variant): LearnerTree {
  const tree = temporaryLearnerTree(chapter, 'solutions');
  const dir = path.join(variantsDir(chapter), variant.name);
  for (const file of readdirSync(dir)) {
    if (file === 'variant.json') continue;
    if (!chapter.files.includes(file)) {
      tree.remove();
      throw new Error(`${path.relative(root, path.join(dir, file))} is not one of chapter ${chapter.number}'s files (${chapter.files.join(', ')})`);
    }
    cpSync(path.join(dir, file), tree.file(file));
  }
  return tree;
}
