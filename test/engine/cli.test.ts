// Bad input gets a clear error and loses nothing: the CLI as a learner meets it.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { findChapter } from '../../workbook/find-chapter.ts';
import { publishedStarterText } from '../../workbook/running/starter-tree.ts';
import { learnerFixture, runCli, scoreJson, testBackupsDir, testProgressDir } from '../support/cli.ts';

const fixtures: Array<{ remove(): void }> = [];
afterAll(() => fixtures.forEach((f) => f.remove()));
const fixture = (chapter: number, from?: 'chapters' | 'solutions') => {
  const made = learnerFixture(chapter, from);
  fixtures.push(made);
  return made;
};

/** One line on stderr, exit 2, no stack trace, and the command that would work. */
function expectUsageError(run: { code: number | null; stdout: string; stderr: string }, what: RegExp, tryCommand: string) {
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(what);
  expect(lines[0]).toContain(`Try: ${tryCommand}`);
  expect(run.stderr).not.toMatch(/\n\s+at |ERR_[A-Z_]+/);
  expect(run.code).toBe(2);
}

test('an unknown chapter prints the chapter list and exits 2', async () => {
  const run = await runCli(['42']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/There is no chapter "42"/);
  expect(run.stderr).toMatch(/1 {2}Performance Philosophy/);
});

test('a value given to a flag that takes none is one line with the command that works', async () => {
  expectUsageError(await runCli(['1', '--solution=yes']), /--solution takes no value/, 'npm run chapter 1 -- --solution');
});

test('a misspelt flag suggests the nearest one, given after -- or to npm', async () => {
  expectUsageError(await runCli(['1', '--hitn']), /--hitn is not an option; did you mean --hint\?/, 'npm run chapter 1 -- --hint');
  // `npm run chapter 1 --hitn` (no --): npm keeps the flag and passes it on as npm_config_hitn.
  expectUsageError(
    await runCli(['1'], { npm_lifecycle_event: 'chapter', npm_config_hitn: 'true' }),
    /--hitn is not an option; did you mean --hint\?/,
    'npm run chapter 1 -- --hint',
  );
});

test('one chapter at a time, one mode at a time', async () => {
  expectUsageError(await runCli(['1', '2']), /one chapter at a time/, 'npm run chapter 1');
  expectUsageError(await runCli(['1', '--hint', '--diff']), /--hint and --diff do different things/, 'npm run chapter 1 -- --hint');
  expectUsageError(await runCli(['reset']), /reset needs a chapter number/, 'npm run chapter reset 1');
}, 60_000);

test('a deleted learner file is named, with the command that restores it, and nothing is scored', async () => {
  const learner = fixture(1, 'chapters');
  rmSync(learner.file('search-server.ts'));
  const run = await runCli(['1'], learner.env);
  expectUsageError(run, /search-server\.ts is missing \(nothing was scored\)/, 'npm run chapter reset 1');
  expect(run.stdout).toBe('');
});

test('a reset that cannot write its backup changes nothing and says what to do', async () => {
  const learner = fixture(1, 'solutions');
  const before = learner.read('search-server.ts');
  // A file where the backups folder should be: the folder cannot be made (as root, too).
  const blocker = path.join(mkdtempSync(path.join(os.tmpdir(), 'workbook-blocked-')), 'not-a-folder');
  writeFileSync(blocker, '');
  const run = await runCli(['reset', '1'], { ...learner.env, WORKBOOK_BACKUPS_DIR: path.join(blocker, 'backups') });
  expectUsageError(run, /could not write the backup to .*: part of the path is a file, not a folder \(ENOTDIR\)\. Nothing was changed/, 'WORKBOOK_BACKUPS_DIR=');
  expect(learner.read('search-server.ts')).toBe(before);
  rmSync(path.dirname(blocker), { recursive: true, force: true });
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
  // The learner's own path, never the run's snapshot of it.
  expect(card.problems[0]!.location!.file).toBe(path.relative(process.cwd(), learner.file('search-server.ts')));
  expect(JSON.stringify(card)).not.toMatch(/workbook\/(run|child|checks-child)\.ts|\.workbook\/runs\//);
}, 60_000);

test('a type error is reported with path:line while the checks still run', async () => {
  const learner = fixture(1);
  learner.write('search-server.ts', learner.read('search-server.ts').replace('stats.misses++;', "stats.misses++;\n      const wrong: number = 'text';\n      void wrong;"));
  const { card } = await scoreJson(1, 'chapters', learner.env, ['--checks-only']);
  const problem = card.problems.find((p) => p.kind === 'types');
  expect(problem?.message).toMatch(/TS2322/);
  expect(problem?.location?.file).toMatch(/search-server\.ts$/);
  expect(card.checks.find((c) => c.id === 'answers-queries')?.verdict).toBe('pass');
  expect(card.verdict).toBe('fail');
}, 60_000);

test('a pass says what to run next, --json=FILE writes the card, the learner’s console output shows under its check, and the code under test cannot see the engine', async () => {
  const learner = fixture(1);
  // Printed at import and while answering: what would a learner debugging with console.log see?
  const probe = `[...Object.keys(process.env).filter((k) => /^(WORKBOOK_|VITEST)|^TEST$/.test(k)), process.env.NODE_ENV === 'test' ? 'NODE_ENV=test' : ''].filter(Boolean).join(',') || 'none'`;
  learner.write(
    'search-server.ts',
    learner
      .read('search-server.ts')
      .replace('const cached = cache.get(query);', `console.log('looking up', query, 'engine env:', ${probe});\n      const cached = cache.get(query);`)
      .concat(`\nconsole.log('loaded; engine env:', ${probe});\n`),
  );
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'workbook-json-')), 'card.json');
  const run = await runCli(['1', '--checks-only', `--json=${out}`], learner.env);
  expect(run.code, run.stderr).toBe(0);
  const card = JSON.parse(readFileSync(out, 'utf8')) as { verdict: string; output?: string; checks: Array<{ id: string; output?: string }>; metrics: unknown[] };
  expect(run.stdout).toContain(`PASS  all ${card.checks.length + card.metrics.length} checks and targets met`);
  expect(run.stdout).toMatch(/Next: npm run chapter 2 {3}\(Benchmarking and Metrics\)/);
  expect(card.verdict).toBe('pass');
  expect(card.output).toBe('loaded; engine env: none');
  const answers = card.checks.find((c) => c.id === 'answers-queries')?.output ?? '';
  expect(answers).toMatch(/^looking up .+ engine env: none$/m);
  expect(answers).not.toMatch(/engine env: (?!none)/);
  expect(run.stdout).toMatch(/answers-queries .*\n(.*\n)*? +│ looking up .+ engine env: none/);
  rmSync(path.dirname(out), { recursive: true, force: true });
}, 90_000);

test('progress --export --name writes the export under that name', async () => {
  const run = await runCli(['progress', '--export', '--name', 'Ada Lovelace']);
  expect(run.code, run.stderr).toBe(0);
  const file = path.join(testProgressDir, 'Ada-Lovelace.json');
  expect(existsSync(file), run.stdout).toBe(true);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ learner: 'Ada Lovelace' });
  // Through npm without `--`, the name arrives as npm_config_name.
  const viaNpm = await runCli(['progress'], { npm_lifecycle_event: 'chapter', npm_config_export: 'true', npm_config_name: 'Grace Hopper' });
  expect(viaNpm.code, viaNpm.stderr).toBe(0);
  expect(existsSync(path.join(testProgressDir, 'Grace-Hopper.json'))).toBe(true);
});

test('reset restores the published starter, keeps a backup of the learner’s file, and touches none of the learner’s real folders', async () => {
  const learner = fixture(1, 'solutions');
  const run = await runCli(['reset', '1'], learner.env);
  expect(run.code, run.stderr).toBe(0);
  const chapter = findChapter(1);
  expect(learner.read('search-server.ts')).toBe(publishedStarterText(chapter, 'search-server.ts'));
  const backup = /in (\S+)\//.exec(run.stdout)?.[1];
  expect(backup && existsSync(path.join(backup, 'search-server.ts'))).toBe(true);
  expect(readFileSync(path.join(backup!, 'search-server.ts'), 'utf8')).toBe(
    readFileSync(path.resolve('solutions/01-performance-philosophy/search-server.ts'), 'utf8'),
  );
  expect(path.resolve(backup!).startsWith(testBackupsDir)).toBe(true);
  expect(readdirSync(testBackupsDir)).toEqual([chapter.slug]);
}, 30_000);
