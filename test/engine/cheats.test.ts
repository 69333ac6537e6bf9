// Cheap ways to a false pass: a few lines in the learner's file that replace
// a clock, a memory reading or a matcher, or leave the process early. Each is
// tried on a failing starter; none may turn it into a pass, and the scorecard
// must say what happened.
import { afterAll, expect, test } from 'vitest';
import type { Scorecard } from '../../workbook/types.ts';
import { learnerFixture, scoreJson } from '../support/cli.ts';

const fixtures: Array<{ remove(): void }> = [];
afterAll(() => fixtures.forEach((f) => f.remove()));

async function scoreWith(chapter: number, file: string, cheat: string): Promise<Scorecard> {
  const learner = learnerFixture(chapter, 'chapters');
  fixtures.push(learner);
  learner.write(file, `${learner.read(file)}\n${cheat}\n`);
  const { card } = await scoreJson(chapter, 'chapters', learner.env);
  return card;
}

const everything = (card: Scorecard) => JSON.stringify(card);

test('a frozen clock does not make a slow cache fast', async () => {
  const card = await scoreWith(1, 'search-server.ts', 'performance.now = () => 0;');
  expect(card.verdict).toBe('fail');
  expect(everything(card)).toMatch(/replaced performance\.now/);
}, 120_000);

test('a patched matcher cannot make failing checks pass', async () => {
  const cheat = [
    "const { chai } = await import('vitest');",
    'chai.Assertion.prototype.assert = function () {};',
  ].join('\n');
  const card = await scoreWith(1, 'search-server.ts', cheat);
  expect(card.verdict).toBe('fail');
  expect(card.checks.find((c) => c.id === 'validates-first')?.verdict).toBe('fail');
  expect(everything(card)).toMatch(/replaced expect\(…\)\.assert/);
}, 120_000);

test('a faked memory reading does not hide a leak', async () => {
  const cheat = 'process.memoryUsage = Object.assign(() => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }), { rss: () => 0 });';
  const card = await scoreWith(2, 'metrics.ts', cheat);
  expect(card.verdict).toBe('fail');
  expect(card.metrics.find((m) => m.id === 'retained-after-1m')?.verdict).toBe('fail');
  expect(everything(card)).toMatch(/replaced process\.memoryUsage/);
}, 120_000);

test('leaving the process early is a failure, not a pass', async () => {
  const card = await scoreWith(1, 'search-server.ts', 'setTimeout(() => process.exit(0), 0);');
  expect(card.verdict).toBe('fail');
  expect(card.checks.some((c) => c.verdict === 'pass') && card.metrics.every((m) => m.verdict === 'pass')).toBe(false);
}, 120_000);
