// The tools the chapter's servers run under test, each with a cost the checks
// control: an echo, a CPU job of a fixed number of steps (the same work on
// every run, so "overload" means the same thing each time), a tool that holds
// its slot until the check lets go, and a report that uses the database pool
// and Redis the way a real tool does, so closing either too early shows.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ToolSpec } from '../../../solutions/10-production-optimization/server.ts';

export const echoTool: ToolSpec = {
  name: 'echo',
  description: 'Returns its text',
  inputSchema: { text: z.string() },
  run: async (args) => String(args.text),
};

export const failTool: ToolSpec = {
  name: 'fail',
  description: 'Always fails',
  inputSchema: {},
  run: async () => {
    throw new Error('planned failure');
  },
};

/** FNV-1a over a counter: CPU work the JIT cannot skip, since the result is used. */
export function burn(iterations: number): number {
  let hash = 2166136261;
  for (let i = 0; i < iterations; i++) {
    hash ^= i & 0xff;
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}

/** Iterations of `burn` in one step of the crunch tool when nobody calibrates it (≈ 0.3 ms here). */
export const DEFAULT_STEP_ITERATIONS = 300_000;

/**
 * A CPU-bound tool: `steps` slices of fixed work, yielding to the event loop
 * between slices the way a well-behaved CPU job does (chapter 3), so
 * concurrent calls interleave and each one's latency grows with the others.
 */
export function crunchTool(stepIterations = DEFAULT_STEP_ITERATIONS) {
  const stats = { running: 0, peak: 0, calls: 0 };
  const tool: ToolSpec = {
    name: 'crunch',
    description: 'Deterministic CPU work in slices',
    inputSchema: { steps: z.number().int().min(1).max(200) },
    async run(args) {
      stats.calls++;
      stats.running++;
      stats.peak = Math.max(stats.peak, stats.running);
      try {
        let checksum = 0;
        for (let step = 0; step < Number(args.steps); step++) {
          checksum ^= burn(stepIterations);
          await nextTurn();
        }
        return `checksum ${checksum}`;
      } finally {
        stats.running--;
      }
    },
  };
  return { tool, stats };
}

/** A tool that does not finish until the check says so: it occupies an admission slot on demand. */
export function holdTool() {
  let releaseAll = () => {};
  let gate = new Promise<void>((resolve) => (releaseAll = resolve));
  const stats = { running: 0, calls: 0 };
  const tool: ToolSpec = {
    name: 'hold',
    description: 'Waits until released',
    inputSchema: {},
    async run() {
      stats.calls++;
      stats.running++;
      try {
        await gate;
        return 'released';
      } finally {
        stats.running--;
      }
    },
  };
  return {
    tool,
    stats,
    release() {
      releaseAll();
      gate = new Promise<void>((resolve) => (releaseAll = resolve));
    },
  };
}

/**
 * A stand-in for a pg.Pool: queries take `delayMs`, and one sent after end()
 * fails like pg's does. `holdBeforeAnswer` may hand back a promise that keeps
 * a query open; once it settles the query still takes `delayMs`, so whatever
 * settled it (a signal) has time to close the pool first.
 */
export function fakePool(delayMs: number, holdBeforeAnswer?: () => Promise<void> | undefined) {
  const state = { active: 0, queries: 0, endedWithActive: -1, ended: false };
  return {
    state,
    async query(): Promise<void> {
      if (state.ended) throw new Error('Cannot use a pool after calling end on the pool');
      state.active++;
      state.queries++;
      try {
        await sleep(delayMs);
        const hold = holdBeforeAnswer?.();
        if (hold) {
          await hold;
          await sleep(delayMs);
        }
        if (state.ended) throw new Error('Connection terminated');
      } finally {
        state.active--;
      }
    },
    async end(): Promise<void> {
      state.endedWithActive = state.active;
      state.ended = true;
    },
  };
}

/** A report: a database query, then the result stored in Redis; both must still be open to finish. */
export function reportTool(pool: ReturnType<typeof fakePool>, redis: Redis, keyPrefix: string) {
  const stats = { running: 0 };
  let n = 0;
  const tool: ToolSpec = {
    name: 'report',
    description: 'Queries the database and stores the result in Redis',
    inputSchema: {},
    async run() {
      stats.running++;
      try {
        await pool.query();
        const key = `${keyPrefix}report:${process.pid}:${n++}`;
        await redis.set(key, 'done', 'EX', 60);
        return `stored ${key}`;
      } finally {
        stats.running--;
      }
    },
  };
  return { tool, stats };
}

/** A tool that runs for `ms` unless its request is cancelled. */
export function sleepTool(ms: number): ToolSpec {
  return {
    name: 'stuck',
    description: `Takes ${ms} ms`,
    inputSchema: {},
    async run(_args, { signal }) {
      await sleep(ms, undefined, { signal });
      return 'finished';
    },
  };
}

/** A clock the check moves by hand, in ms. */
export function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}
