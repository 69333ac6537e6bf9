import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { defineChecks } from '../../../workbook/authoring/define-checks.ts';
import { collectGarbage } from '../../../workbook/authoring/memory.ts';
import { median } from '../../../workbook/authoring/stats.ts';
import { runRandom, runSeed } from '../../support/random.ts';
import findDuplicates from '../../../solutions/08-resource-management/cpu-task.ts';
import { watchLoopTurns } from './loop-watch.ts';
import { compileWorker, cpuShareOf, duplicateTask, inWindows, type CompiledWorker } from './cpu-work.ts';
import { countingOpen, sampleFiles } from './files.ts';
import { fakeResources, poolDrill, turns, type DrillReport } from './pool-drill.ts';
import { activeTimers, watchTimers } from './timers.ts';
import { MiB, rowCursor, rowsFor, settlesWithin, SlowReader } from './streams.ts';

type PoolModule = typeof import('../../../solutions/08-resource-management/resource-pool.ts');
type CpuPoolModule = typeof import('../../../solutions/08-resource-management/cpu-pool.ts');
type StreamModule = typeof import('../../../solutions/08-resource-management/stream-export.ts');
type PreviewModule = typeof import('../../../solutions/08-resource-management/file-preview.ts');
type CpuPool = ReturnType<CpuPoolModule['createCpuPool']>;

const { check, subject } = defineChecks(8);
const { ResourcePool } = await subject<PoolModule>('resource-pool.ts');
const { createCpuPool, BusyError } = await subject<CpuPoolModule>('cpu-pool.ts');
const { exportRows } = await subject<StreamModule>('stream-export.ts');
const { previewFile, BinaryFileError } = await subject<PreviewModule>('file-preview.ts');

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Inputs differ every run (WORKBOOK_SEED=<n> replays one): a seed per scenario, from the run's seed. */
const seedFor = (salt: number) => (runSeed ^ Math.imul(salt, 0x9e3779b1)) >>> 0;
const seed = `(seed ${runSeed}; WORKBOOK_SEED=${runSeed} replays it)`;
/** Budget for a check that touches files, threads or many event-loop turns: generous, for a loaded machine. */
const SLOW = { timeout: 20_000 };

// ── the resource pool ──────────────────────────────────────────────────────

const MAX = 4;
let drill: Promise<DrillReport> | undefined;
/** One drill, read by three checks: 10 000 cycles, 12 callers, max 4, seeded failures (see pool-drill.ts). */
const drillReport = () => (drill ??= poolDrill(ResourcePool, { cycles: 10_000, max: MAX, callers: 12, seed: seedFor(8), budgetMs: 8_000 }));

check('pool-caps-at-max', async ({ report }) => {
  const run = await drillReport();
  report({ id: 'peak-in-use', value: run.peakInUse, detail: `${run.granted} grants in ${run.cycles} cycles from 12 callers; at most ${run.peakAlive} alive` });
  expect(run.peakInUse, `most resources lent out at once (max ${MAX}) ${seed}`).toBeLessThanOrEqual(MAX);
  expect(run.peakAlive, `most resources alive at once, idle ones included (max ${MAX})`).toBeLessThanOrEqual(MAX);
  // A pool that only ever lends one is within its max, and serialises every caller.
  expect(run.peakInUse, `with 12 callers all ${MAX} slots should be used`).toBe(MAX);
}, SLOW);

check('pool-loses-nothing', async ({ report }) => {
  const run = await drillReport();
  const refused = run.refused.timeout + run.refused.aborted + run.refused.createFailed + run.refused.other;
  report({
    id: 'resources-lost',
    value: run.leakedAfterClose,
    detail:
      `${run.created} created; ${run.granted} grants (${run.workFailures} tools threw), ` +
      `${run.refused.createFailed} create failures, ${run.refused.timeout} timeouts, ${run.refused.aborted} cancelled`,
  });
  expect(run.unanswered, `acquires never answered (a slot lost for good leaves callers waiting) ${seed}`).toBe(0);
  expect(run.granted + refused, 'acquires answered, lent or refused').toBe(run.cycles);
  expect(run.refused.other, 'acquires refused with something other than TimeoutError, the abort reason or create()’s error').toBe(0);
  expect(run.lentTwice, 'times a resource was lent while already lent out').toBe(0);
  expect(run.lentDestroyed, 'times a destroyed resource was lent').toBe(0);
  expect(run.lost, `resources alive after the drill but neither idle in the pool nor lent out ${seed}`).toBe(0);
  expect(run.leakedAfterClose, 'resources never destroyed, after close()').toBe(0);
}, SLOW);

check('pool-keeps-every-return', async () => {
  // validate() takes an event-loop turn here, like a ping.
  const resources = fakeResources({ asyncValidate: true });
  const pool = new ResourcePool({ ...resources.options, max: 8 });
  const lent = await Promise.all(range(8).map(() => pool.acquire()));
  for (const resource of lent) pool.release(resource);
  await turns(4);
  expect(pool.stats.idle, 'resources back in the pool after 8 releases at once').toBe(8);
  const again = await Promise.all(range(8).map(() => pool.acquire()));
  expect(resources.created.size, 'resources created for two rounds of 8').toBe(8);
  for (const resource of again) pool.release(resource);
  await pool.close();
}, SLOW);

check('pool-serves-in-order', async ({ report }) => {
  const run = await drillReport();
  report({ id: 'out-of-order-grants', value: run.outOfOrder, detail: `${run.granted} grants in the 10 000-cycle drill` });

  const resources = fakeResources();
  const pool = new ResourcePool({ ...resources.options, max: 2 });
  const held = [await pool.acquire(), await pool.acquire()];
  const served: string[] = [];
  const waitFor = (name: string) => {
    const waiting = pool.acquire({ timeoutMs: 4_000 }).then((resource) => {
      served.push(name);
      return resource;
    });
    // If an expectation fails first, nobody awaits the rest: no unhandled rejections.
    waiting.catch(() => {});
    return waiting;
  };
  const names = ['w0', 'w1', 'w2', 'w3', 'w4'];
  const waiting = new Map(names.map((name) => [name, waitFor(name)]));
  await turns(3);
  expect(served, 'nobody is served while both resources are lent out').toEqual([]);
  // A resource comes back and, in the same moment, a newcomer asks: the slot is w0's.
  pool.release(held[0]!);
  waiting.set('late', waitFor('late'));
  await turns(3);
  expect(served, 'after one release: the oldest waiter, not the newcomer').toEqual(['w0']);
  let current = await waiting.get('w0')!;
  for (const name of [...names.slice(1), 'late']) {
    pool.release(current);
    await turns(3);
    expect(served.at(-1), `served after ${served.length} releases`).toBe(name);
    current = await waiting.get(name)!;
  }
  pool.release(current);
  pool.release(held[1]!);
  expect(resources.created.size, 'resources created to serve 8 callers with max 2').toBeLessThanOrEqual(2);
  await pool.close();
  expect(run.outOfOrder, `callers served in the drill while an earlier caller was still waiting ${seed}`).toBe(0);
}, SLOW);

check('acquire-gives-up', async () => {
  const timers = watchTimers();
  const resources = fakeResources();
  const pool = new ResourcePool({ ...resources.options, max: 1 });
  const only = await pool.acquire();

  const started = performance.now();
  const timedOut = await pool.acquire({ timeoutMs: 40 }).then(
    () => 'served a resource',
    (error: unknown) => error,
  );
  expect(timedOut, 'acquire({ timeoutMs: 40 }) while the only resource is lent out').toMatchObject({ name: 'TimeoutError' });
  expect(performance.now() - started, 'ms waited before the TimeoutError').toBeGreaterThanOrEqual(30);

  // A caller cancels while another waits behind it.
  const controller = new AbortController();
  const cancelled = pool.acquire({ signal: controller.signal, timeoutMs: 60_000 });
  cancelled.catch(() => {});
  const behind = pool.acquire({ timeoutMs: 60_000 });
  behind.catch(() => {});
  await turns(2);
  const reason = new Error('client cancelled');
  controller.abort(reason);
  await expect(cancelled, 'acquire whose signal aborted').rejects.toBe(reason);
  pool.release(only);
  const next = await Promise.race([behind, turns(5).then(() => 'nothing')]);
  expect(next, 'the released resource goes to the caller still waiting, not the one that left').toBe(only);
  expect(pool.stats.waiting, 'callers still queued').toBe(0);

  const gone = new AbortController();
  gone.abort(reason);
  await expect(pool.acquire({ signal: gone.signal }), 'acquire with an already aborted signal').rejects.toBe(reason);
  pool.release(only);
  expect(resources.created.size, 'resources created').toBe(1);
  await pool.close();
  // Destroy hooks run a moment after a timer is cleared.
  await turns(3);
  timers.stop();
  expect(timers.pending(), 'timers left by waiters that were served or gave up').toBe(0);
}, SLOW);

check('pool-replaces-broken', async () => {
  const resources = fakeResources();
  const pool = new ResourcePool({ ...resources.options, max: 2, acquireTimeoutMs: 1_000 });
  const first = await pool.acquire();
  pool.release(first, true);
  await turns(2);
  expect(resources.destroyed.has(first), 'a resource released as broken is destroyed').toBe(true);
  const second = await pool.acquire();
  expect(second, 'the broken resource is not lent again').not.toBe(first);

  // It breaks while idle (the server closed the connection): validate() says so.
  pool.release(second);
  second.healthy = false;
  const third = await pool.acquire();
  expect(third, 'an idle resource that fails validate() is not lent').not.toBe(second);
  await turns(2);
  expect(resources.destroyed.has(second), 'the stale resource is destroyed').toBe(true);

  // Three create() failures in a row: each acquire fails with create()'s error, and its slot comes back.
  resources.failNextCreates(3);
  for (let i = 0; i < 3; i++) {
    await expect(pool.acquire(), `acquire while create() fails (${i + 1} of 3)`).rejects.toThrow('connection refused');
  }
  const fourth = await pool.acquire();
  expect(pool.stats.inUse, 'lent out: the slots of failed creates came back').toBe(2);
  pool.release(third);
  pool.release(fourth);
  await pool.close();
  await turns(2);
  expect(resources.alive(), 'resources alive after close()').toBe(0);
  expect(resources.doubleDestroys(), 'resources destroyed twice').toBe(0);
}, SLOW);

check('use-releases-on-error', async () => {
  const resources = fakeResources();
  const pool = new ResourcePool({ ...resources.options, max: 2, acquireTimeoutMs: 1_000 });
  for (let i = 0; i < 20; i++) {
    await expect(
      pool.use(async () => {
        throw new Error(`tool failed ${i}`);
      }),
    ).rejects.toThrow(`tool failed ${i}`);
  }
  expect(pool.stats.inUse, 'resources still lent out after 20 uses whose work threw').toBe(0);
  expect(await pool.use(async (resource) => resource.id), 'use() after the failures').toBeTypeOf('number');
  expect(resources.created.size, 'resources created').toBeLessThanOrEqual(2);
  await pool.close();
}, SLOW);

// ── CPU-heavy work on worker threads ───────────────────────────────────────

const THREADS = 2;
const MAX_QUEUE = 4;
let cpu: Promise<{ pool: CpuPool; worker: CompiledWorker }> | undefined;
/** The learner's pool on their compiled worker module, warmed up once (threads started, code compiled). */
const cpuPool = () =>
  (cpu ??= (async () => {
    const worker = compileWorker();
    const pool = createCpuPool({ workerFile: worker.file, threads: THREADS, maxQueue: MAX_QUEUE });
    await Promise.all(range(THREADS).map((i) => pool.run(duplicateTask(40, seedFor(100 + i)))));
    return { pool, worker };
  })());

afterAll(async () => {
  if (!cpu) return;
  const { pool, worker } = await cpu;
  await pool.close();
  worker.remove();
});

check('cpu-results-match', async () => {
  const { pool } = await cpuPool();
  const tasks = range(4).map((i) => duplicateTask(120, seedFor(200 + i)));
  const results = await Promise.all(tasks.map((task) => pool.run(task)));
  for (const i of range(tasks.length)) {
    const expected = findDuplicates(tasks[i]!);
    expect(expected.pairs.length, 'the seeded documents have near-duplicates').toBeGreaterThan(0);
    expect(results[i], `result of task ${i} ${seed}`).toEqual(expected);
  }
}, SLOW);

check('cpu-runs-on-workers', async ({ report }) => {
  const { pool, worker } = await cpuPool();
  const tasks = range(8).map((i) => duplicateTask(250, seedFor(300 + i)));
  // A collected heap first, so a major GC owed by earlier checks does not land on the loop thread's account.
  collectGarbage();
  // Four in flight: two running, two queued, never more than the pool accepts.
  const share = await cpuShareOf(() => inWindows(tasks, 4, (task) => pool.run(task)));
  report({
    id: 'loop-share-of-job-cpu',
    value: share.loopShare,
    detail: `${share.loopMs.toFixed(0)} ms of ${share.processMs.toFixed(0)} ms CPU on the loop thread, 8 jobs`,
  });
  const loads = worker.loads();
  expect(loads.length, 'threads that loaded the compiled worker module').toBeGreaterThanOrEqual(1);
  expect(loads.length, 'times the worker module was loaded (a thread per job costs tens of ms each)').toBeLessThanOrEqual(THREADS);
  expect(share.loopShare, 'share of the jobs’ CPU time spent on the event loop’s thread').toBeLessThanOrEqual(0.3);
}, SLOW);

check('status-answers-while-busy', async () => {
  const { pool } = await cpuPool();
  // Jobs of 250 documents (tens of ms each): run on the loop, four at a time hold it for over 100 ms.
  const tasks = range(8).map((i) => duplicateTask(250, seedFor(400 + i)));
  collectGarbage();
  // A status request every 0.5 ms, timed in the loop thread's CPU time (see loop-watch.ts).
  const loop = await watchLoopTurns(() => inWindows(tasks, 4, (task) => pool.run(task)));
  const typical = median(loop.statusLatencies);
  expect(typical, `median status wait over ${loop.statusLatencies.length} requests, in ms`).toBeLessThan(10);
  // A loop blocked for each job (computing it, or waiting for a worker's answer) comes round
  // once per job at most; a free one hundreds or thousands of times, even on a loaded machine.
  expect(loop.turns, `event-loop turns while ${tasks.length} jobs ran`).toBeGreaterThan(2 * tasks.length);
}, SLOW);

check('refuses-when-full', async ({ report }) => {
  const { pool } = await cpuPool();
  const tasks = range(16).map((i) => duplicateTask(120, seedFor(500 + i)));
  let firstAnswer = Number.POSITIVE_INFINITY;
  let lastRefusal = 0;
  const outcomes = await Promise.allSettled(
    tasks.map((task) =>
      pool.run(task).then(
        (result) => {
          firstAnswer = Math.min(firstAnswer, performance.now());
          return result;
        },
        (error: unknown) => {
          lastRefusal = Math.max(lastRefusal, performance.now());
          throw error;
        },
      ),
    ),
  );
  const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
  report({ id: 'burst-accepted', value: accepted, detail: `${refusals.length} of 16 refused` });
  expect(
    refusals.filter((error) => !(error instanceof BusyError)).map(String),
    'refusals that are not a BusyError',
  ).toEqual([]);
  expect(accepted, `jobs accepted from a burst of 16 (${THREADS} threads + a queue of ${MAX_QUEUE})`).toBeLessThanOrEqual(THREADS + MAX_QUEUE);
  expect(accepted, 'jobs accepted: at least a full queue').toBeGreaterThanOrEqual(MAX_QUEUE);
  expect(lastRefusal < firstAnswer, 'every refusal is answered before the first accepted job finishes').toBe(true);
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') expect(outcome.value, `result of task ${i}`).toEqual(findDuplicates(tasks[i]!));
  });
  // Busy is a moment, not a state: once the burst is through, work is accepted again.
  expect(await pool.run(tasks[0]!), 'a job after the burst').toEqual(findDuplicates(tasks[0]!));
}, SLOW);

// ── streaming a large result ───────────────────────────────────────────────

check('export-writes-every-row', async () => {
  const cursor = rowCursor({ totalRows: 2_000, seed: seedFor(81) });
  const out = new SlowReader({ keep: true, bytesPerMs: 8 * MiB });
  const summary = await exportRows(cursor.pages, out);
  const text = Buffer.concat(out.chunks).toString('utf8');
  const lines = text.split('\n');
  expect(lines.pop(), 'the last line ends with "\\n"').toBe('');
  expect(lines.length, 'lines written').toBe(2_000);
  expect(lines.map((line) => JSON.parse(line) as unknown), `every row, in order ${seed}`).toEqual(range(2_000).map(cursor.row));
  expect(summary, 'the summary').toEqual({ rows: 2_000, bytes: Buffer.byteLength(text) });
  expect(out.writableFinished, 'the stream was ended and flushed').toBe(true);
}, SLOW);

check('export-honours-backpressure', async ({ report }) => {
  const cursor = rowCursor({ totalRows: rowsFor(100 * MiB), turnEveryPages: 16, seed: seedFor(80) });
  const out = new SlowReader({ sampleEveryBytes: 20 * MiB });
  await exportRows(cursor.pages, out);
  report({
    id: 'export-peak-buffered',
    value: out.peakBuffered / MiB,
    detail: `${(out.consumed / MiB).toFixed(0)} MB read by a client taking 256 KB/ms; highWaterMark 64 KiB`,
  });
  report({
    id: 'export-peak-memory',
    value: out.peakLiveGrowth / MiB,
    detail: `${out.samples} readings after a forced GC, one every 20 MB the client read`,
  });
  expect(out.consumed, 'bytes the client received').toBeGreaterThanOrEqual(100 * MiB);
  expect(out.peakBuffered / MiB, 'MB waiting in the stream at worst').toBeLessThanOrEqual(1);
  expect(out.peakLiveGrowth / MiB, `MB live above the start, at worst (after GC, ${out.samples} samples)`).toBeLessThanOrEqual(16);
}, { timeout: 30_000 });

check('export-stops-when-client-leaves', async () => {
  const cursor = rowCursor({ totalRows: rowsFor(100 * MiB), turnEveryPages: 16, seed: seedFor(80) });
  const out = new SlowReader({ hangUpAfterBytes: 2 * MiB, onHangUp: () => cursor.markClientGone() });
  const outcome = await settlesWithin(exportRows(cursor.pages, out), 4_000);
  expect(outcome.settled, 'exportRows settled after the client hung up').toBe(true);
  expect(cursor.stats.pagesAfterMark, 'pages read from the cursor after the client hung up').toBeLessThanOrEqual(2);
  expect(cursor.stats.closed, 'the cursor was closed (its return() called)').toBe(true);
  if (!cursor.stats.closed) await cursor.pages.return(undefined);
}, SLOW);

// ── files and timers ───────────────────────────────────────────────────────

check('preview-reads-text', async () => {
  const { files, remove } = sampleFiles(40, seedFor(82));
  const counting = countingOpen();
  const maxBytes = 32 * 1024;
  try {
    for (const file of files) {
      const outcome = await previewFile(file.path, { maxBytes }, { open: counting.open }).then(
        (preview) => preview,
        (error: unknown) => error,
      );
      const name = path.basename(file.path);
      if (file.kind === 'text') {
        const shown = file.content.subarray(0, maxBytes);
        expect(outcome, `preview of ${name} (${file.content.length} bytes) ${seed}`).toEqual({
          text: shown.toString('utf8'),
          bytes: shown.length,
          truncated: file.content.length > maxBytes,
        });
      } else if (file.kind === 'binary') {
        expect(outcome, `preview of ${name}, which holds a NUL byte`).toBeInstanceOf(BinaryFileError);
      } else {
        expect(outcome, `preview of ${name}, which does not exist`).toMatchObject({ code: 'ENOENT' });
      }
    }
  } finally {
    await counting.closeLeftovers();
    remove();
  }
}, SLOW);

check('preview-releases-resources', async ({ report }) => {
  const { files, remove } = sampleFiles(200, seedFor(83));
  const random = runRandom(84);
  const cancellers = new Map<string, AbortController>();
  // A cancelled preview's client gives up just before its second read.
  const counting = countingOpen({ beforeRead: (read, file) => read === 1 && cancellers.get(file)?.abort(new Error('client cancelled')) });
  const outcomes = { previewed: 0, binary: 0, missing: 0, cancelled: 0 };
  const timersBefore = activeTimers();
  const watch = watchTimers();
  try {
    for (const file of files) {
      const controller = random() < 0.15 ? new AbortController() : undefined;
      if (controller) cancellers.set(file.path, controller);
      const options = { maxBytes: 32 * 1024, timeoutMs: 60_000, ...(controller ? { signal: controller.signal } : {}) };
      await previewFile(file.path, options, { open: counting.open }).then(
        () => outcomes.previewed++,
        (error: Error) => {
          if (error instanceof BinaryFileError) outcomes.binary++;
          else if ((error as NodeJS.ErrnoException).code === 'ENOENT') outcomes.missing++;
          else if (error.message === 'client cancelled') outcomes.cancelled++;
          else throw error;
        },
      );
    }
    await turns(3);
    const handles = counting.leftOpen();
    const timers = watch.pending();
    report({
      id: 'resources-left-open',
      value: handles + timers,
      detail:
        `${handles} file handles and ${timers} timers after ${files.length} previews ` +
        `(${outcomes.previewed} shown, ${outcomes.binary} binary, ${outcomes.missing} missing, ${outcomes.cancelled} cancelled); ` +
        `getActiveResourcesInfo() 'Timeout': ${timersBefore} before, ${activeTimers()} after`,
    });
    expect(outcomes.cancelled, 'previews cancelled mid-read (the scenario itself)').toBeGreaterThan(0);
    expect(handles, `file handles opened and never closed ${seed}`).toBe(0);
    expect(timers, 'deadline timers still pending').toBe(0);
  } finally {
    watch.stop();
    await counting.closeLeftovers();
    remove();
  }
}, SLOW);

check('preview-times-out', async () => {
  const { files, remove } = sampleFiles(1, seedFor(85));
  const file = files[0]!.path;
  writeFileSync(file, 'a slow line of text\n'.repeat(10_000));
  // Every read takes 15 ms: 128 KiB in 16 KiB reads is 120 ms, the deadline is 40 ms.
  const counting = countingOpen({ readDelayMs: 15 });
  const timers = watchTimers();
  try {
    const outcome = await previewFile(file, { maxBytes: 128 * 1024, timeoutMs: 40 }, { open: counting.open }).then(
      () => 'finished',
      (error: unknown) => error,
    );
    expect(outcome, 'preview of a slow file with a 40 ms deadline').toMatchObject({ name: 'TimeoutError' });
    await turns(3);
    expect(counting.leftOpen(), 'file handles left open').toBe(0);
    expect(timers.pending(), 'timers left pending').toBe(0);
  } finally {
    timers.stop();
    await counting.closeLeftovers();
    remove();
  }
}, SLOW);
