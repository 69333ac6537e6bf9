// Score one variant (test/chapters/NN-slug/variants/<name>/) the way the
// variants suite does: the reference with the variant's files laid over it,
// checks only unless the variant needs the bench. Never saved as progress.
import { bold, dim } from '../format.ts';
import { readVariant, variantTree } from '../../running/variants.ts';
import type { ChapterSpec } from '../../types.ts';
import { scoreChapter } from './score.ts';

export async function scoreVariant(chapter: ChapterSpec, name: string, options: { json?: true | string }): Promise<number> {
  const variant = readVariant(chapter, name);
  const tree = variantTree(chapter, variant);
  // Children inherit this: the engine scores the variant as if it were the learner's files.
  process.env.WORKBOOK_LEARNER_ROOT = tree.root;
  if (options.json !== true) {
    const expected = variant.expect === 'pass' ? 'must pass' : `must fail ${variant.fails.join(', ')}`;
    console.log(`${bold(`Variant ${name}`)} ${dim(`(${expected})`)}: ${variant.why}`);
  }
  try {
    return await scoreChapter(chapter, 'chapters', { ...(options.json ? { json: options.json } : {}), checksOnly: !variant.measure, save: false, showNext: false });
  } finally {
    tree.remove();
  }
}
