// Runs one engine step (checks, bench or type-check) in its own process group,
// reading structured events from file descriptor 3 so learner console output
// on stdout cannot corrupt them, and ending the whole group when:
//  - it has used up its wall-clock budget (a last resort);
//  - a process in it that runs learner code keeps its main thread busy for
//    cpuLimitMs of *its own* CPU time without its event loop turning (an
//    infinite loop). Time the machine spent on other programs does not count,
//    so a correct solution on a loaded machine is never called a hang;
//  - a process in it holds more memory than the budget;
//  - the CLI is stopped (see stopAllChildren) or dies (the child watches it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { root } from '../paths.ts';
import { allProcesses, groupMembers, mainThreadCpuMs, type ProcessSample } from './process-table.ts';
import type { ChildEvent } from './protocol.ts';

export interface ChildOptions<Event extends ChildEvent> {
  script: string;
  args: string[];
  env?: Record<string, string>;
  /** Extra flags for node, e.g. --expose-gc. */
  nodeFlags?: string[];
  /** Wall-clock budget from the go-ahead: a last resort, far above any honest run. */
  timeoutMs: number;
  /** The run's folder, where the child's processes keep their heartbeat files. */
  runDir?: string;
  /** A process whose heartbeat stopped may use this much CPU before it counts as hung. */
  cpuLimitMs?: number;
  /** End the group when one of its processes holds more resident memory than this. */
  memoryLimitBytes?: number;
  /** Stop the child early (its outcome then reads as cancelled). */
  signal?: AbortSignal;
  /**
   * Start the process now but hold its work until this settles: the child
   * reads one line from stdin first (see waitForGo). Start-up then overlaps
   * whatever runs before, without the work itself overlapping it.
   */
  startWhen?: Promise<unknown>;
  onEvent: (event: Event) => void;
}

export type StopReason =
  | { reason: 'budget' }
  | { reason: 'cancelled' }
  | { reason: 'hang'; pid: number; cpuMs: number }
  | { reason: 'memory'; pid: number; rssBytes: number };

export interface ChildOutcome {
  exitCode: number | null;
  /** Why the engine ended the child, if it did. */
  stopped?: StopReason;
  /** Everything the child printed on stdout and stderr, for error reports. */
  output: string;
}

/** Engine work that may hold a child's event loop longer (see in-child.ts harnessWork). */
const HARNESS_CPU_MS = 60_000;
const SAMPLE_EVERY_MS = 300;

const live = new Set<ChildProcess>();

export function runChild<Event extends ChildEvent>(options: ChildOptions<Event>): Promise<ChildOutcome> {
  if (options.signal?.aborted) return Promise.resolve({ exitCode: null, stopped: { reason: 'cancelled' }, output: '' });
  installExitHandler();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), '--import', 'tsx', options.script, ...options.args],
      {
        cwd: root,
        env: {
          ...process.env,
          ...options.env,
          ...(options.runDir ? { WORKBOOK_RUN_DIR: options.runDir } : {}),
          // Learner code in the child sees NODE_ENV as the CLI saw it (see in-child.ts).
          WORKBOOK_NODE_ENV: process.env.NODE_ENV ?? '',
          ...(options.startWhen ? { WORKBOOK_HELD: '1' } : {}),
        },
        stdio: [options.startWhen ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
        // Its own process group: one kill ends the child and everything it started.
        detached: true,
      },
    );
    live.add(child);
    let output = '';
    let stopped: StopReason | undefined;
    let closed = false;
    const collect = (chunk: Buffer) => {
      // Keep the tail only: a learner's runaway logging must not eat memory.
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const stop = (why: StopReason) => {
      stopped ??= why;
      killGroup(child);
    };
    const cancel = () => stop({ reason: 'cancelled' });
    options.signal?.addEventListener('abort', cancel, { once: true });

    // A held child's budget and watch start when it is released: it may wait a long time in watch mode.
    let budget: NodeJS.Timeout | undefined;
    let unwatch = () => {};
    const begin = () => {
      budget = setTimeout(() => stop({ reason: 'budget' }), options.timeoutMs);
      if (child.pid) unwatch = watchGroup(child.pid, options, stop);
    };
    // A child that died before the go-ahead closes its stdin: nothing to tell it then.
    child.stdin?.on('error', () => {});
    if (options.startWhen) {
      void options.startWhen.then(() => {
        if (closed) return;
        begin();
        child.stdin?.end('go\n');
      });
    } else {
      begin();
    }

    const events = createInterface({ input: child.stdio[3] as Readable });
    events.on('line', (line) => {
      if (!line.trim()) return;
      let event: Event;
      try {
        event = JSON.parse(line) as Event;
      } catch {
        collect(Buffer.from(`${line}\n`));
        return;
      }
      options.onEvent(event);
    });
    child.on('error', reject);
    child.on('close', (exitCode) => {
      closed = true;
      live.delete(child);
      clearTimeout(budget);
      unwatch();
      options.signal?.removeEventListener('abort', cancel);
      // A worker left behind by a hung check would keep running: end the group.
      killGroup(child);
      resolve({ exitCode, ...(stopped ? { stopped } : {}), output });
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // No group yet (killed right after spawn, before it became a group leader)
    // or already gone: kill the process itself.
    child.kill('SIGKILL');
  }
}

/** End every child process group at once (Ctrl-C, a closed terminal, the CLI exiting). */
export function stopAllChildren(): void {
  for (const child of live) killGroup(child);
}

let exitHandlerInstalled = false;
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', stopAllChildren);
}

// ---------------------------------------------------------------- watchdog

interface Watched {
  pgid: number;
  check(table: ProcessSample[]): void;
}

const watched = new Set<Watched>();
let sampler: NodeJS.Timeout | undefined;

function sampleAll(): void {
  if (watched.size === 0) return;
  const table = allProcesses();
  for (const entry of watched) entry.check(table);
}

/**
 * Watch one child's process group from outside: its memory, and the CPU its
 * learner-code processes burn while their heartbeat is silent.
 */
function watchGroup(pgid: number, options: Pick<ChildOptions<ChildEvent>, 'runDir' | 'cpuLimitMs' | 'memoryLimitBytes'>, stop: (why: StopReason) => void) {
  const beats = new Map<number, { beat: string; cpuMs: number }>();
  // WORKBOOK_DEBUG_WATCHDOG=1: the longest stretch of CPU each process used with its heartbeat silent.
  const longest = new Map<number, number>();
  const entry: Watched = {
    pgid,
    check(table) {
      for (const member of groupMembers(pgid, table)) {
        if (options.memoryLimitBytes && member.rssBytes > options.memoryLimitBytes) {
          stop({ reason: 'memory', pid: member.pid, rssBytes: member.rssBytes });
          return;
        }
        if (!options.cpuLimitMs || !options.runDir) continue;
        const beat = readBeat(options.runDir, member.pid);
        if (beat === undefined) continue; // Not a process that runs learner code.
        const cpuMs = mainThreadCpuMs(member.pid, table);
        if (cpuMs === undefined) continue;
        const last = beats.get(member.pid);
        if (!last || last.beat !== beat) {
          beats.set(member.pid, { beat, cpuMs });
          continue;
        }
        const busy = cpuMs - last.cpuMs;
        longest.set(member.pid, Math.max(longest.get(member.pid) ?? 0, busy));
        const allowed = existsSync(path.join(options.runDir, `harness-${member.pid}`)) ? HARNESS_CPU_MS : options.cpuLimitMs;
        if (busy >= allowed) {
          stop({ reason: 'hang', pid: member.pid, cpuMs: busy });
          return;
        }
      }
    },
  };
  watched.add(entry);
  sampler ??= setInterval(sampleAll, SAMPLE_EVERY_MS);
  return () => {
    if (process.env.WORKBOOK_DEBUG_WATCHDOG && longest.size) {
      process.stderr.write(`[watchdog] group ${pgid}: longest silent CPU ${[...longest].map(([pid, ms]) => `${pid}=${ms} ms`).join(', ')}\n`);
    }
    watched.delete(entry);
    if (watched.size === 0 && sampler) {
      clearInterval(sampler);
      sampler = undefined;
    }
  };
}

function readBeat(runDir: string, pid: number): string | undefined {
  try {
    return readFileSync(path.join(runDir, `beat-${pid}`), 'latin1');
  } catch {
    return undefined;
  }
}
