// Ctrl-C, kill, a closing terminal, or the CLI dying outright: every process
// the CLI started (checks, bench, type-check, and vitest's worker under the
// checks) ends at once, and no run folder is left behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { workbookDir } from '../../workbook/paths.ts';
import { isAlive } from '../../workbook/running/process-table.ts';
import { learnerFixture, startCli } from '../support/cli.ts';
import { commandLine, descendants, journalOf, membersOf, runFoldersOf, until } from './processes.ts';

const loopInHandler = (text: string) => text.replace('const cached = cache.get(query);', 'while (query) {}\n      const cached = cache.get(query);');

/** Start a run of chapter 1 whose first check never returns; resolve once the loop is spinning. */
async function hungRun() {
  const learner = learnerFixture(1);
  learner.write('search-server.ts', loopInHandler(learner.read('search-server.ts')));
  const cli = startCli(['1'], learner.env);
  await until(() => journalOf(cli.pid!).includes('"answers-queries"'), 120_000, 'the hung check to start');
  const tree = await until(() => {
    const found = descendants(cli.pid!);
    return found.some((p) => commandLine(p.pid).includes('vitest')) && found;
  }, 10_000, "vitest's worker");
  return { cli, learner, tree };
}

/** What is left of the processes a CLI started, and of its run folders. */
function leftovers(cliPid: number, tree: Array<{ pid: number; pgid: number }>) {
  const describe = (pid: number) => `${pid} ${commandLine(pid) || '(exited, not yet reaped)'}`.trim();
  const pids = tree.map((p) => p.pid).filter((pid) => isAlive(pid) && !isZombie(pid)).map(describe);
  // The groups the CLI's children lead (each child runs in a group of its own).
  const groups = new Set(tree.filter((p) => p.pgid === p.pid).map((p) => p.pgid));
  const members = membersOf(groups).filter((p) => !isZombie(p.pid)).map((p) => describe(p.pid));
  return { pids, members, folders: runFoldersOf(cliPid) };
}

function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

test.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const)('%s during a hung check ends every child at once and removes the run folder', async (signal, code) => {
  const { cli, learner, tree } = await hungRun();
  try {
    expect(tree.length).toBeGreaterThanOrEqual(3); // type-check, checks, vitest worker (and the bench, held)
    const sent = Date.now();
    cli.kill(signal);
    const run = await cli.result;
    expect(run.code).toBe(code);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_000 - (Date.now() - sent))));
    // Within a second of the signal: nothing left.
    expect(leftovers(cli.pid!, tree)).toEqual({ pids: [], members: [], folders: [] });
    expect(readdirSync(workbookDir).filter((name) => name.startsWith('running-check-'))).toEqual([]);
  } finally {
    learner.remove();
  }
}, 180_000);

test('when the CLI itself is killed outright, its children notice and end themselves', async () => {
  const { cli, learner, tree } = await hungRun();
  try {
    cli.kill('SIGKILL');
    await cli.result;
    // The children watch their parent (a thread each, so a blocked event loop does not matter).
    const gone = await until(() => leftovers(cli.pid!, tree).members.length === 0, 5_000, 'the orphaned children to end').catch(
      () => false,
    );
    expect(gone ? [] : leftovers(cli.pid!, tree).members).toEqual([]);
  } finally {
    learner.remove();
  }
}, 180_000);

test('after a healthy run nothing the CLI started is still running when it exits', async () => {
  const cli = startCli(['1', '--solution', '--checks-only']);
  const seen = new Map<number, { pid: number; pgid: number; command: string }>();
  const watcher = setInterval(() => {
    // The command line is read while the process lives: after the run it is gone.
    for (const p of descendants(cli.pid!)) if (!seen.get(p.pid)?.command) seen.set(p.pid, { ...p, command: commandLine(p.pid) });
  }, 100);
  const run = await cli.result;
  clearInterval(watcher);
  expect(run.code, run.stderr).toBe(0);
  expect([...seen.values()].some((p) => p.command.includes('typecheck-child')), 'the type-check ran in a child').toBe(true);
  const left = leftovers(cli.pid!, [...seen.values()]);
  expect(left.members).toEqual([]);
  expect(left.folders).toEqual([]);
  expect(existsSync(workbookDir)).toBe(true);
}, 180_000);
