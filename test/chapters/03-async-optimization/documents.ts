// Documents for the CPU-heavy signing job, drawn from this run's seed: about
// 250 characters each, every 10th a near-copy of the one before (what a
// near-duplicate finder is for).
import type { Inputs } from '../../support/random.ts';

export function randomDocuments(input: Inputs, count: number): string[] {
  const vocabulary = Array.from({ length: 400 }, () => input.word());
  const documents: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 10 === 9) {
      const words = documents[i - 1]!.split(' ');
      words[input.int(0, words.length - 1)] = input.pick(vocabulary);
      documents.push(words.join(' '));
      continue;
    }
    documents.push(Array.from({ length: 36 }, () => input.pick(vocabulary)).join(' '));
  }
  return documents;
}
