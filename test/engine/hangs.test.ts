// Code that never returns, or never stops growing, is stopped with a message
// that names the check (or the file) it happened in, quickly, and a correct
// solution on a starved machine is never mistaken for it.
import { expect, test } from 'vitest';
import { failedIds } from '../../workbook/grading/grade.ts';
import { learnerFixture, scoreJson, startCli } from '../support/cli.ts';
import { commandLine, descendants, journalOf, until } from './processes.ts';

test('a run whose reporting process gets no CPU for 20 s is not called a hang (a busy machine)', async () => {
  const cli = startCli(['1', '--solution', '--checks-only', '--json']);
  // Once the first check has started, freeze vitest's main process, which sends
  // the CLI every event: to a wall-clock silence timer this is a hang.
  await until(() => journalOf(cli.pid!).includes('"start"'), 120_000, 'the first check to start');
  const reporter = await until(
    () => descendants(cli.pid!).find((p) => commandLine(p.pid).includes('checks-child.ts')),
    10_000,
    'the checks child',
  );
  process.kill(reporter.pid, 'SIGSTOP');
  await new Promise((resolve) => setTimeout(resolve, 20_000));
  process.kill(reporter.pid, 'SIGCONT');
  const run = await cli.result;
  const card = JSON.parse(run.stdout) as { verdict: string; problems: unknown[] };
  expect(card.problems).toEqual([]);
  expect(card.verdict).toBe('pass');
}, 180_000);

test('a loop in a later check is blamed on that check; the checks before it keep their verdicts and the hint is its own', async () => {
  const learner = learnerFixture(3);
  learner.write('batch.ts', learner.read('batch.ts').replace('const records: T[] = [];', 'const records: T[] = [];\n  for (;;) {}'));
  const { card } = await scoreJson(3, 'chapters', learner.env, ['--checks-only']).finally(learner.remove);
  const timeout = card.problems.find((p) => p.kind === 'timeout');
  expect(timeout?.message).toMatch(/^check "batches-of-100" did not finish: the code kept the CPU busy/);
  for (const id of ['limits-in-flight', 'keeps-input-order', 'settles-each-item']) {
    expect(card.checks.find((c) => c.id === id), id).toMatchObject({ verdict: 'pass' });
  }
  expect(card.checks.find((c) => c.id === 'cancels-at-deadline')?.message).toBe('not run: the checks stopped at "batches-of-100"');
  expect(card.nextHint?.id).toBe('batches-of-100');
}, 180_000);

test('a loop in a file’s top-level code is stopped as fast as any loop and reported against that file', async () => {
  const learner = learnerFixture(1);
  learner.write('search-server.ts', `${learner.read('search-server.ts')}\nwhile (Date.now() > 0) {}\n`);
  const started = Date.now();
  const { card } = await scoreJson(1, 'chapters', learner.env, ['--checks-only']).finally(learner.remove);
  const seconds = (Date.now() - started) / 1000;
  console.log(`import-time loop: verdict after ${seconds.toFixed(1)} s`);
  // The start-up window was 90 s of silence before the first check; now the limit is the loop's own CPU time.
  expect(seconds).toBeLessThan(75);
  const problem = card.problems.find((p) => p.kind === 'timeout');
  expect(problem?.message).toMatch(/^the checks stopped while loading \S*01-performance-philosophy\/search-server\.ts: its top-level code kept the CPU busy/);
  expect(card.nextHint).toBeUndefined();
}, 180_000);

test('a handler loop gets its verdict in about the same time', async () => {
  const learner = learnerFixture(1);
  learner.write('search-server.ts', learner.read('search-server.ts').replace('const cached = cache.get(query);', 'while (query) {}\n      const cached = cache.get(query);'));
  const started = Date.now();
  const { card } = await scoreJson(1, 'chapters', learner.env, ['--checks-only']).finally(learner.remove);
  console.log(`handler loop: verdict after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(card.problems.find((p) => p.kind === 'timeout')?.message).toMatch(/^check "answers-queries" did not finish/);
  expect(card.checks.find((c) => c.id === 'answers-queries')).toMatchObject({ verdict: 'fail' });
}, 180_000);

test.each([
  ['Buffers', 'for (const held = [];;) { held.push(Buffer.alloc(8 * 1024 * 1024, 1)); await new Promise((r) => setImmediate(r)); }'],
  ['JavaScript objects', 'for (const held = [];;) { held.push(Array.from({ length: 100_000 }, (_, i) => ({ i }))); await new Promise((r) => setImmediate(r)); }'],
])('memory that grows without bound (%s) is stopped at the budget, naming the check, the amount and the budget', async (_kind, leak) => {
  const learner = learnerFixture(1);
  learner.write('search-server.ts', learner.read('search-server.ts').replace('const cached = cache.get(query);', `${leak}\n      const cached = cache.get(query);`));
  const { card } = await scoreJson(1, 'chapters', { ...learner.env, WORKBOOK_MEMORY_MB: '400' }, ['--checks-only']).finally(learner.remove);
  const problem = card.problems.find((p) => /memory|heap/.test(p.message));
  expect(problem?.message).toMatch(/^check "answers-queries" did not finish: it (held \d+ MB of memory|ran out of JavaScript heap); the budget is 400 MB/);
  expect(failedIds(card)).toContain('answers-queries');
}, 180_000);
