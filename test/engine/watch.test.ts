// --watch scores one snapshot of the files per run: a save that lands during a
// run brings another run, an editor's rename-save (write a temp file, rename it
// over) is seen, and the watch keeps working afterwards.
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { findChapter } from '../../workbook/find-chapter.ts';
import { fingerprint } from '../../workbook/running/run-dir.ts';
import type { Scorecard } from '../../workbook/types.ts';
import { learnerFixture, startCli } from '../support/cli.ts';
import { until } from './processes.ts';

const chapter = findChapter(1);

test('a bug saved, then its fix rename-saved 0.8 s later: every card scores one version, the last card the fix, and the watch still hears saves', async () => {
  const learner = learnerFixture(1);
  const fixed = learner.read('search-server.ts');
  const bug = fixed.replace('const cached = cache.get(query);', 'const cached = undefined as string | undefined;');
  expect(bug).not.toBe(fixed);
  const dir = path.dirname(learner.file('search-server.ts'));
  const fixedPrint = fingerprint(chapter, dir);
  const cli = startCli(['1', '--watch', '--json'], learner.env);
  const cards = () =>
    cli.stdoutSoFar
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { scored: string; card: Scorecard });
  try {
    await until(() => cards().length >= 1, 120_000, 'the first scorecard');

    learner.write('search-server.ts', bug);
    const bugPrint = fingerprint(chapter, dir);
    await new Promise((resolve) => setTimeout(resolve, 800));
    // As sed -i and many editors save: a new file renamed over the old one (a new inode).
    const temp = path.join(dir, '.search-server.ts.swp');
    writeFileSync(temp, fixed);
    renameSync(temp, learner.file('search-server.ts'));

    const fixedAgain = await until(() => cards().slice(1).find((c) => c.scored === fixedPrint), 180_000, 'a scorecard of the fix');
    expect(fixedAgain.card.verdict, JSON.stringify(fixedAgain.card.checks)).toBe('pass');
    for (const { scored, card } of cards()) {
      const failed = [...card.checks, ...card.metrics].filter((r) => r.verdict === 'fail').map((r) => r.id);
      expect([fixedPrint, bugPrint], 'a card scores exactly one saved version').toContain(scored);
      // A bug card fails what the bug breaks, everywhere: no check of one version beside a figure of the other.
      if (scored === bugPrint) expect(failed).toEqual(expect.arrayContaining(['caches-repeats', 'repeat-hit-rate']));
      else expect(failed).toEqual([]);
    }

    // The rename replaced the file the watch started on: it must still hear the next save.
    const before = cards().length;
    learner.write('search-server.ts', bug);
    const after = await until(() => cards().slice(before).find((c) => c.scored === bugPrint), 120_000, 'a scorecard after the rename-save');
    expect(after.card.verdict).toBe('fail');
  } finally {
    cli.kill('SIGINT');
    await cli.result;
    learner.remove();
  }
}, 420_000);
