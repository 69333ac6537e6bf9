// Finding the CLI's child processes from outside, for the engine's tests.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { allProcesses, type ProcessSample } from '../../workbook/running/process-table.ts';
import { runsDir } from '../../workbook/paths.ts';

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Every process started, directly or not, by `pid`. */
export function descendants(pid: number, table: ProcessSample[] = allProcesses()): ProcessSample[] {
  const found: ProcessSample[] = [];
  const parents = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

/** Processes still in any of these process groups. */
export function membersOf(groups: Iterable<number>): ProcessSample[] {
  const wanted = new Set(groups);
  return allProcesses().filter((p) => wanted.has(p.pgid));
}

/** The run folders of one CLI process (named after its pid). */
export function runFoldersOf(cliPid: number): string[] {
  try {
    return readdirSync(runsDir)
      .filter((name) => name.startsWith(`${cliPid}-`))
      .map((name) => path.join(runsDir, name));
  } catch {
    return [];
  }
}

/** Wait until `ready` returns something, polling. */
export async function until<T>(ready: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = ready();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The journal lines a CLI's run has written so far. */
export function journalOf(cliPid: number): string {
  return runFoldersOf(cliPid)
    .map((dir) => {
      try {
        return readFileSync(path.join(dir, 'journal'), 'utf8');
      } catch {
        return '';
      }
    })
    .join('');
}
