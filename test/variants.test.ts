// Other answers to each chapter, scored through the real CLI: every wrong
// variant fails (at least) the ids it names, every right one passes. The
// starters suite proves the lessons' own bugs are caught; this proves the
// grader is not fooled by other bugs, and not unfair to other designs.
import { describe, expect, test } from 'vitest';
import { explainFailures as explain, failedIds } from '../workbook/grading/grade.ts';
import { chapters } from '../workbook/manifest.ts';
import { listVariants } from '../workbook/running/variants.ts';
import type { Scorecard } from '../workbook/types.ts';
import { runCli } from './support/cli.ts';

for (const chapter of chapters) {
  const variants = listVariants(chapter);
  if (variants.length === 0) continue;
  describe(`chapter ${chapter.number} variants`, () => {
    // Embedded services only: the both-modes question is the scorecards suite's.
    const env = { DATABASE_URL: '', REDIS_URL: '' };
    test.each(variants.map((v) => [v.name, v] as const))('%s', async (name, variant) => {
      const run = await runCli([String(chapter.number), '--variant', name, '--json'], env);
      let card: Scorecard;
      try {
        card = JSON.parse(run.stdout) as Scorecard;
      } catch {
        throw new Error(`variant ${name} printed no scorecard (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
      }
      const blocking = card.problems.filter((p) => p.kind === 'compile' || p.kind === 'types');
      expect(blocking, 'a variant must compile: it is wrong in behaviour, not in syntax').toEqual([]);
      if (variant.expect === 'pass') {
        expect(failedIds(card), `${variant.why}\n${explain(card)}`).toEqual([]);
        expect(card.verdict).toBe('pass');
      } else {
        const failed = failedIds(card);
        const missed = variant.fails.filter((id) => !failed.includes(id));
        expect(missed, `${variant.why}: these should have failed\n${explain(card)}`).toEqual([]);
      }
    }, 120_000);
  });
}
