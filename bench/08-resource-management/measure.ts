// Chapter 8 scorecard. The pool's figures, the stream's peak buffer and peak
// live memory, and the handles left open are reported by the checks whose
// scenarios produce them; here: status latency on the loop thread's own clock
// while CPU jobs run, two ratios of timings taken in the same run (worker
// throughput against inline, the worst wait in a burst against its first
// answer), and the process's CPU under a paced normal load.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineMeasurements } from '../../workbook/authoring/define-measurements.ts';
import { collectGarbage } from '../../workbook/authoring/memory.ts';
import { median, summarize } from '../../workbook/authoring/stats.ts';
import findDuplicates from '../../solutions/08-resource-management/cpu-task.ts';
import { runSeed } from '../../test/support/random.ts';
import { watchLoopTurns } from '../../test/chapters/08-resource-management/loop-watch.ts';
import { compileWorker, cpuShareOf, duplicateTask, inWindows } from '../../test/chapters/08-resource-management/cpu-work.ts';

type PoolModule = typeof import('../../solutions/08-resource-management/resource-pool.ts');
type CpuPoolModule = typeof import('../../solutions/08-resource-management/cpu-pool.ts');
type CpuPool = ReturnType<CpuPoolModule['createCpuPool']>;

const THREADS = 2;
const MAX_QUEUE = 4;
const JOB_DOCUMENTS = 150;
const STATUS_JOB_DOCUMENTS = 250;
const STATUS_JOBS = 24;
const THROUGHPUT_JOBS = 8;
const BURST = 48;
const BURST_ROUNDS = 3;
const LOAD_REQUESTS = 150;
const LOAD_EVERY_MS = 10;
/** No stage of the bench runs longer than this (a thread started per job would take minutes). */
const STAGE_BUDGET_MS = 8_000;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Inputs differ every run (WORKBOOK_SEED=<n> replays one): a seed per scenario, from the run's seed. */
const seedFor = (salt: number) => (runSeed ^ Math.imul(salt, 0x9e3779b1)) >>> 0;

export default defineMeasurements(8, async ({ subject, report, progress }) => {
  const { ResourcePool } = await subject<PoolModule>('resource-pool.ts');
  const { createCpuPool } = await subject<CpuPoolModule>('cpu-pool.ts');

  progress('starting the worker pool');
  const worker = compileWorker();
  const pool = createCpuPool({ workerFile: worker.file, threads: THREADS, maxQueue: MAX_QUEUE });
  try {
    // A server that has been up a while: threads started, code compiled.
    await Promise.all(range(THREADS * 2).map((i) => pool.run(duplicateTask(40, seedFor(i)))));

    progress(`status requests while ${STATUS_JOBS} CPU jobs run`);
    const statusTasks = range(STATUS_JOBS).map((i) => duplicateTask(STATUS_JOB_DOCUMENTS, seedFor(600 + i)));
    // Start from a collected heap, so a major GC left over from setting up does not land in the window.
    collectGarbage();
    const loop = await watchLoopTurns(() => inWindows(statusTasks, THREADS + MAX_QUEUE - 2, (task) => pool.run(task)));
    const status = summarize(loop.statusLatencies);
    const wall = summarize(loop.wallLatencies);
    report({
      id: 'status-latency-during-cpu-work',
      summary: status,
      detail:
        `${status.n} status requests timed in the loop thread’s CPU time, ${loop.turns} turns; wall clock p95 ${wall.p95.toFixed(1)} ms, ` +
        `monitorEventLoopDelay p99 ${loop.delayP99.toFixed(1)} ms (both include time the OS gave to other programs)`,
    });

    progress(`throughput: ${THROUGHPUT_JOBS} jobs on ${THREADS} threads against inline`);
    const batch = range(THROUGHPUT_JOBS).map((i) => duplicateTask(JOB_DOCUMENTS, seedFor(700 + i)));
    const inline = () => {
      for (const task of batch) findDuplicates(task);
    };
    const onWorkers = () => inWindows(batch, THREADS + MAX_QUEUE - 2, (task) => pool.run(task));
    // Alternating rounds, which side first alternating too (as interleavedRatios does), within a time budget.
    const speedups: number[] = [];
    inline();
    await onWorkers();
    const stageEnd = performance.now() + STAGE_BUDGET_MS;
    for (let round = 0; round < 9 && (round < 3 || performance.now() < stageEnd); round++) {
      const first = round % 2 === 0 ? await timed(inline) : await timed(onWorkers);
      const second = round % 2 === 0 ? await timed(onWorkers) : await timed(inline);
      const [inlineMs, workersMs] = round % 2 === 0 ? [first, second] : [second, first];
      speedups.push(inlineMs / workersMs);
    }
    report({
      id: 'throughput-vs-inline',
      value: median(speedups),
      detail: `rounds: ${speedups.map((s) => s.toFixed(2)).join(', ')}; ${THROUGHPUT_JOBS} jobs of ${JOB_DOCUMENTS} documents`,
    });

    progress(`bursts of ${BURST} jobs`);
    const burst = await burstWaits(pool);
    report({
      id: 'burst-worst-wait',
      value: median(burst.map((round) => round.ratio)),
      detail: burst
        .map((round) => `${round.worstMs.toFixed(0)} ms worst ÷ ${round.firstMs.toFixed(0)} ms first, ${round.refused} refused`)
        .join('; '),
    });

    progress('CPU under a normal load');
    const load = await normalLoad(pool, new ResourcePool({ max: 4, create: async () => ({ opened: Date.now() }) }));
    report({
      id: 'cpu-under-normal-load',
      value: load.percent,
      detail:
        `${LOAD_REQUESTS} requests in ${(load.wallMs / 1000).toFixed(1)} s, ${load.jobs} CPU jobs (${load.busy} refused busy); ` +
        `${load.loopPercent === undefined ? '' : `event-loop thread ${load.loopPercent.toFixed(0)} %, `}process.cpuUsage()`,
    });
  } finally {
    await pool.close();
    worker.remove();
  }
});

async function timed(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/**
 * Each round: a burst of BURST jobs at once, timed from the moment it arrives
 * to each answer, accepted or refused. The longest wait is divided by the
 * first accepted answer of the same burst: both are measured in the same
 * moments, so the load other programs put on the machine cancels out.
 */
async function burstWaits(pool: CpuPool) {
  const rounds: Array<{ ratio: number; worstMs: number; firstMs: number; refused: number }> = [];
  const stageEnd = performance.now() + STAGE_BUDGET_MS;
  for (let round = 0; round < BURST_ROUNDS && (round === 0 || performance.now() < stageEnd); round++) {
    const tasks = range(BURST).map((i) => duplicateTask(JOB_DOCUMENTS, seedFor(900 + round * BURST + i)));
    let worstMs = 0;
    let firstMs = Number.POSITIVE_INFINITY;
    let refused = 0;
    const start = performance.now();
    await Promise.all(
      tasks.map((task) =>
        pool.run(task).then(
          () => {
            const waited = performance.now() - start;
            firstMs = Math.min(firstMs, waited);
            worstMs = Math.max(worstMs, waited);
          },
          () => {
            refused++;
            worstMs = Math.max(worstMs, performance.now() - start);
          },
        ),
      ),
    );
    rounds.push({ ratio: worstMs / firstMs, worstMs, firstMs, refused });
  }
  return rounds;
}

/** A request every LOAD_EVERY_MS, one in five a small CPU job, the rest a pooled-resource status read. */
async function normalLoad(pool: CpuPool, resources: { use<R>(work: () => Promise<R>): Promise<R>; close(): Promise<void> }) {
  const jobs = range(LOAD_REQUESTS / 5).map((i) => duplicateTask(60, seedFor(1_000 + i)));
  let busy = 0;
  const requests: Array<Promise<unknown>> = [];
  let result = { percent: 0, wallMs: 0, jobs: jobs.length, busy: 0, loopPercent: undefined as number | undefined };
  const share = await cpuShareOf(async () => {
    const t0 = performance.now();
    const before = process.cpuUsage();
    for (let i = 0; i < LOAD_REQUESTS; i++) {
      const wait = t0 + i * LOAD_EVERY_MS - performance.now();
      if (wait > 0) await sleep(wait);
      requests.push(
        i % 5 === 0
          ? pool.run(jobs[i / 5]!).catch(() => busy++)
          : resources.use(async () => pool.stats),
      );
    }
    await Promise.all(requests);
    const wallMs = performance.now() - t0;
    result = { percent: cpuPercentSince(before, wallMs), wallMs, jobs: jobs.length, busy, loopPercent: undefined };
  });
  await resources.close();
  result.loopPercent = (share.loopMs / result.wallMs) * 100;
  return result;
}

// #region cpu-percent
/** CPU the whole process used since `before` (every thread, workers too), as % of one core over `wallMs`. */
function cpuPercentSince(before: NodeJS.CpuUsage, wallMs: number): number {
  const used = process.cpuUsage(before); // microseconds of user and system time since `before`
  return ((used.user + used.system) / 1_000 / wallMs) * 100;
}
// #endregion cpu-percent
