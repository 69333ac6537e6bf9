// Runs one engine step (checks or bench) in its own process group, reading
// structured events from file descriptor 3 so learner console output on stdout
// cannot corrupt them, and killing the whole group when it outlives its budget
// (a learner's infinite loop must never hang the CLI).
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { root } from './paths.ts';

export interface ChildOptions {
  script: string;
  args: string[];
  env?: Record<string, string>;
  /** Extra flags for node, e.g. --expose-gc. */
  nodeFlags?: string[];
  timeoutMs: number;
  /** Kill the child if it sends no event for this long (a hung check). */
  idleTimeoutMs?: number;
  /** The silence allowed before the first event: starting up is slow on a loaded machine. */
  startupTimeoutMs?: number;
  /**
   * A file the child rewrites as it makes progress; a change counts as an
   * event. It reaches the parent even when a hung worker cannot report.
   */
  heartbeatFile?: string;
  /** Stop the child early (its outcome then reads as timed out). */
  signal?: AbortSignal;
  /**
   * Start the process now but hold its work until this settles: the child
   * reads one line from stdin first (see waitForGo). Start-up then overlaps
   * whatever runs before, without the work itself overlapping it.
   */
  startWhen?: Promise<unknown>;
  onEvent: (event: Record<string, unknown>) => void;
}

export interface ChildOutcome {
  exitCode: number | null;
  timedOut: boolean;
  /** Everything the child printed on stdout and stderr, for error reports. */
  output: string;
}

export function runChild(options: ChildOptions): Promise<ChildOutcome> {
  if (options.signal?.aborted) return Promise.resolve({ exitCode: null, timedOut: true, output: '' });
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), '--import', 'tsx', options.script, ...options.args],
      {
        cwd: root,
        env: { ...process.env, ...options.env, ...(options.startWhen ? { WORKBOOK_HELD: '1' } : {}) },
        stdio: [options.startWhen ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    let timedOut = false;
    let closed = false;
    const collect = (chunk: Buffer) => {
      // Keep the tail only: a learner's runaway logging must not eat memory.
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const expire = () => {
      timedOut = true;
      killGroup(child);
    };
    // A held child's budget starts when it is released: it may wait a long time in watch mode.
    let timer: NodeJS.Timeout | undefined;
    const startBudget = () => {
      timer = setTimeout(expire, options.timeoutMs);
    };
    options.signal?.addEventListener('abort', expire, { once: true });
    const firstSilence = options.startupTimeoutMs ?? options.idleTimeoutMs;
    let idleTimer: NodeJS.Timeout | undefined;
    const startSilenceTimer = () => {
      if (firstSilence) idleTimer = setTimeout(expire, firstSilence);
    };
    // A child that died before the go-ahead closes its stdin: nothing to tell it then.
    child.stdin?.on('error', () => {});
    if (options.startWhen) {
      // Silence only counts once the child has been told to start.
      void options.startWhen.then(() => {
        if (closed) return;
        startBudget();
        startSilenceTimer();
        child.stdin?.end('go\n');
      });
    } else {
      startBudget();
      startSilenceTimer();
    }
    const alive = () => {
      if (!options.idleTimeoutMs) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(expire, options.idleTimeoutMs);
    };
    let lastBeat = 0;
    const heartbeat = options.heartbeatFile
      ? setInterval(() => {
          const changed = statSync(options.heartbeatFile!, { throwIfNoEntry: false })?.mtimeMs ?? 0;
          if (changed !== lastBeat) {
            lastBeat = changed;
            alive();
          }
        }, 200)
      : undefined;
    const events = createInterface({ input: child.stdio[3] as Readable });
    events.on('line', (line) => {
      if (!line.trim()) return;
      alive();
      try {
        options.onEvent(JSON.parse(line) as Record<string, unknown>);
      } catch {
        collect(Buffer.from(`${line}\n`));
      }
    });
    const stopOnExit = () => killGroup(child);
    process.once('exit', stopOnExit);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      closed = true;
      clearTimeout(timer);
      clearTimeout(idleTimer);
      clearInterval(heartbeat);
      options.signal?.removeEventListener('abort', expire);
      process.off('exit', stopOnExit);
      // A worker left behind by a hung check would keep running: end the group.
      killGroup(child);
      resolve({ exitCode, timedOut, output });
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

/** In a child: send one event to the parent. */
export function emit(event: Record<string, unknown>): void {
  writeSync(3, `${JSON.stringify(event)}\n`);
}

/**
 * In a child started with `startWhen`: wait for the parent's go-ahead. If the
 * parent goes away instead (Ctrl-C in watch mode), there is nothing to do.
 */
export function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    let released = false;
    process.stdin.once('data', () => {
      released = true;
      resolve();
    });
    process.stdin.once('end', () => {
      if (!released) process.exit(0);
    });
  });
}
