// What the operating system says about the engine's child processes: which
// processes a group holds, how much CPU each has used and how much memory it
// holds. The hang and memory watchdogs read these from outside, so they work
// even while the code under test keeps its own process too busy to report.
//
// Linux: /proc (a few ms for a whole scan). Elsewhere (macOS): `ps`, which
// reports whole-process CPU rather than the main thread's.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcessSample {
  pid: number;
  ppid: number;
  pgid: number;
  /** CPU used by the whole process (every thread), user + system, in ms. */
  cpuMs: number;
  /** Resident memory in bytes. */
  rssBytes: number;
}

const hasProc = existsSync('/proc/self/stat');
const TICKS_PER_SECOND = 100; // sysconf(_SC_CLK_TCK): 100 on every Linux Node supports.
let pageSize: number | undefined;

function systemPageSize(): number {
  if (pageSize === undefined) {
    try {
      pageSize = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
    } catch {
      pageSize = 4096;
    }
  }
  return pageSize;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

// Field numbers from proc(5), counted from 1; statFields() starts at field 3.
const field = (fields: string[], n: number) => Number(fields[n - 3]);

function readStat(path: string): string[] | undefined {
  try {
    return statFields(readFileSync(path, 'latin1'));
  } catch {
    return undefined; // Gone between listing and reading.
  }
}

/** Every process on the machine (Linux: one pass over /proc). */
export function allProcesses(): ProcessSample[] {
  if (!hasProc) return psProcesses();
  const page = systemPageSize();
  const samples: ProcessSample[] = [];
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const fields = readStat(`/proc/${name}/stat`);
    if (!fields) continue;
    samples.push({
      pid: Number(name),
      ppid: field(fields, 4),
      pgid: field(fields, 5),
      cpuMs: ((field(fields, 14) + field(fields, 15)) * 1000) / TICKS_PER_SECOND,
      rssBytes: field(fields, 24) * page,
    });
  }
  return samples;
}

/** The members of one process group. */
export function groupMembers(pgid: number, table = allProcesses()): ProcessSample[] {
  return table.filter((p) => p.pgid === pgid);
}

/**
 * CPU used by a process's main thread, in ms: the thread that runs
 * JavaScript. GC and compiler threads do not count, so a heavy collection is
 * not mistaken for a loop. Whole-process CPU where threads cannot be read.
 */
export function mainThreadCpuMs(pid: number, table?: ProcessSample[]): number | undefined {
  if (hasProc) {
    const fields = readStat(`/proc/${pid}/task/${pid}/stat`);
    return fields ? ((field(fields, 14) + field(fields, 15)) * 1000) / TICKS_PER_SECOND : undefined;
  }
  return (table ?? psProcesses()).find((p) => p.pid === pid)?.cpuMs;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `ps` for systems without /proc. TIME is [[dd-]hh:]mm:ss[.cc]. */
export function psProcesses(): ProcessSample[] {
  let text: string;
  try {
    text = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,time=,rss='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length === 5)
    .map(([pid, ppid, pgid, time, rss]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      pgid: Number(pgid),
      cpuMs: parsePsTime(time!),
      rssBytes: Number(rss) * 1024,
    }));
}

export function parsePsTime(text: string): number {
  const [days, rest] = text.includes('-') ? text.split('-') : ['0', text];
  const parts = rest!.split(':').map(Number);
  let seconds = 0;
  for (const part of parts) seconds = seconds * 60 + part;
  return (Number(days) * 86_400 + seconds) * 1000;
}
