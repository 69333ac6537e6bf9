// Bad input gets a clear error and loses nothing: the CLI as a learner meets it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { backupsDir } from '../../workbook/paths.ts';
import { learnerFixture, runCli, scoreJson } from '../support/cli.ts';

const fixtures: Array<{ remove(): void }> = [];
afterAll(() => fixtures.forEach((f) => f.remove()));
const fixture = (chapter: number, from?: 'chapters' | 'solutions') => {
  const made = learnerFixture(chapter, from);
  fixtures.push(made);
  return made;
};

test('an unknown chapter prints the chapter list and exits non-zero', async () => {
  const run = await runCli(['42']);
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(/There is no chapter "42"/);
  expect(run.stderr).toMatch(/1 {2}Performance Philosophy/);
});

test('a chapter still to be written says so', async () => {
  const run = await runCli(['10']);
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(/Chapter 10 \(Production Optimization\) is not written yet/);
});

test('a syntax error shows the compiler’s message at path:line, and no stack trace', async () => {
  const learner = fixture(1);
  const lines = learner.read('search-server.ts').split('\n');
  const broken = lines.findIndex((l) => l.includes('stats.hits++'));
  lines[broken] = '        stats.hits++ +;';
  learner.write('search-server.ts', lines.join('\n'));
  const { run, card } = await scoreJson(1, 'chapters', learner.env);
  expect(run.code).toBe(1);
  expect(card.verdict).toBe('fail');
  expect(card.problems).toHaveLength(1);
  expect(card.problems[0]).toMatchObject({ kind: 'compile', location: { line: broken + 1 } });
  expect(card.problems[0]!.location!.file).toMatch(/search-server\.ts$/);
  expect(JSON.stringify(card)).not.toMatch(/workbook\/(run|child|checks-child)\.ts/);
}, 60_000);

test('a type error is reported with path:line while the checks still run', async () => {
  const learner = fixture(1);
  learner.write('search-server.ts', learner.read('search-server.ts').replace('stats.misses++;', "stats.misses++;\n      const wrong: number = 'text';\n      void wrong;"));
  const { card } = await scoreJson(1, 'chapters', learner.env);
  const problem = card.problems.find((p) => p.kind === 'types');
  expect(problem?.message).toMatch(/TS2322/);
  expect(problem?.location?.file).toMatch(/search-server\.ts$/);
  expect(card.checks.find((c) => c.id === 'answers-queries')?.verdict).toBe('pass');
  expect(card.verdict).toBe('fail');
}, 60_000);

test('learner code that never returns is stopped and the hung check is named', async () => {
  const learner = fixture(1);
  learner.write('search-server.ts', learner.read('search-server.ts').replace('const cached = cache.get(query);', 'while (query) {}\n      const cached = cache.get(query);'));
  const started = Date.now();
  const { card } = await scoreJson(1, 'chapters', learner.env);
  expect(Date.now() - started).toBeLessThan(60_000);
  const timeout = card.problems.find((p) => p.kind === 'timeout');
  expect(timeout?.message).toMatch(/check "answers-queries" did not finish/);
  expect(card.checks.find((c) => c.id === 'answers-queries')).toMatchObject({ verdict: 'fail' });
}, 90_000);

test('reset restores the starter from git and keeps a backup of the learner’s file', async () => {
  const learner = fixture(1, 'solutions');
  const run = await runCli(['reset', '1'], learner.env);
  expect(run.code, run.stderr).toBe(0);
  const starter = readFileSync(path.resolve('chapters/01-performance-philosophy/search-server.ts'), 'utf8');
  expect(learner.read('search-server.ts')).toBe(starter);
  const backup = /in (\S+)\//.exec(run.stdout)?.[1];
  expect(backup && existsSync(path.join(backup, 'search-server.ts'))).toBe(true);
  expect(readFileSync(path.join(backup!, 'search-server.ts'), 'utf8')).toBe(
    readFileSync(path.resolve('solutions/01-performance-philosophy/search-server.ts'), 'utf8'),
  );
  expect(path.resolve(backup!).startsWith(backupsDir)).toBe(true);
}, 30_000);

test('a real service that is down is named, with what to do, before any check runs', async () => {
  const { run, card } = await scoreJson(6, 'solutions', { REDIS_URL: 'redis://127.0.0.1:1' });
  expect(run.code).toBe(1);
  expect(card.problems).toEqual([
    expect.objectContaining({ kind: 'service', message: expect.stringMatching(/REDIS_URL=redis:\/\/127\.0\.0\.1:1 is set, but nothing answered/) }),
  ]);
}, 30_000);
