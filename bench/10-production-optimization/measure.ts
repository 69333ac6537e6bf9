// Chapter 10 scorecard: the latencies a production instance owes its callers
// when things are not calm. Probes while the database answers in 60 ms;
// refusals while every slot is taken; CPU-bound calls under 10× overload
// (20 clients in a process of their own for 2 slots, each call sized in the
// same run to cost ≈ 5 ms alone on this machine, timed inside the server).
// Percentiles of ≥ 100 samples (p95 of ≥ 150 where the guide's target is not a
// p99), on the event-loop thread's own clock (test/support/thread-clock.ts), so
// the time the OS gives other programs does not count; wall-clock figures are
// in the detail.
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineMeasurements } from '../../workbook/authoring/define-measurements.ts';
import { collectGarbage } from '../../workbook/authoring/memory.ts';
import { median, summarize } from '../../workbook/authoring/stats.ts';
import { redisHarness } from '../../workbook/backends/redis.ts';
import { loopClock } from '../../test/support/thread-clock.ts';
import { get, httpAgent, openSession, resultText } from '../../test/chapters/10-production-optimization/http-client.ts';
import { instanceFactory } from '../../test/chapters/10-production-optimization/instances.ts';
import { burn, crunchTool, echoTool, holdTool } from '../../test/chapters/10-production-optimization/tools.ts';

type ServerModule = typeof import('../../solutions/10-production-optimization/server.ts');

const DB_PING_MS = 60;
const PROBES = 200;
const PROBE_BUDGET_MS = 2_000;
const SHED_PROBES = 150;
const SHED_GIVE_UP_MS = 300;
const SLOTS = 2;
const CLIENTS = 10 * SLOTS;
const STEP_MS = 0.5;
/** What one call costs, all in (HTTP, rate limit, the tool's work), when it runs alone. */
const CALL_MS = 5;
/**
 * Rounds of the overload, graded on the median of their p95s. Nine, not six:
 * under a loaded machine a round's p95 (of 30–50 calls) ranged from 3× to 14×
 * for the fix, and the median of six came within 25 % of the target.
 */
const ROUNDS = 9;
const ADMITTED_PER_ROUND = 50;
const ROUND_BUDGET_MS = 3_000;
const LOAD_GENERATOR = path.join(import.meta.dirname, 'load-generator.mjs');

/**
 * Loop-clock ms since `start`. The kernel's per-thread wait counter and the
 * monotonic clock are read separately, and on a heavily loaded machine their
 * difference has been seen to step back by tens of ms: never below zero.
 */
const since = (start: number) => Math.max(0, loopClock() - start);

/** Iterations of burn() that take `ms` of CPU here (median of 9 timings on the loop clock). */
function calibrate(ms: number): number {
  const trial = 200_000;
  for (let i = 0; i < 3; i++) burn(trial);
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const started = loopClock();
    burn(trial);
    times.push(since(started));
  }
  return Math.max(10_000, Math.round((ms / Math.max(1e-6, median(times))) * trial));
}

/** The clients of the overload, in their own process; resolves with their counts. */
async function runLoad(url: string, call: { name: string; arguments: Record<string, unknown> }, label: string, seed: number) {
  const child = spawn(
    process.execPath,
    [LOAD_GENERATOR, url, String(CLIENTS), String(ADMITTED_PER_ROUND), String(ROUND_BUDGET_MS), JSON.stringify(call), String(seed), label],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), ROUND_BUDGET_MS + 10_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  const last = output.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as { answered: number; refused: number; failed: number; other: number };
  } catch {
    throw new Error(`the load generator stopped (exit ${code}) without its counts:\n${errors.slice(-1000)}`);
  }
}

export default defineMeasurements(10, async ({ subject, report, progress }) => {
  const { startServer } = await subject<ServerModule>('server.ts');
  const redis = await redisHarness();
  const agent = httpAgent(64);
  const instances = instanceFactory(startServer, redis);
  try {
    const stepIterations = calibrate(STEP_MS);
    const crunch = crunchTool(stepIterations);
    const hold = holdTool();
    const pinger = redis.connect('commands');
    const { server } = await instances.open(
      {
        tools: [crunch.tool, hold.tool, echoTool],
        dependencies: [
          { name: 'redis', check: () => pinger.ping() },
          { name: 'database', check: (signal) => sleep(DB_PING_MS, undefined, { signal }) },
        ],
      },
      { admission: { maxInFlight: SLOTS } },
    );

    /** PROBES GETs of `path`, one after another as an orchestrator sends them, each timed; stops at the budget. */
    const probe = async (path: string) => {
      const own: number[] = [];
      const wall: number[] = [];
      const deadline = performance.now() + PROBE_BUDGET_MS;
      while (own.length < PROBES && performance.now() < deadline) {
        const [ownStart, wallStart] = [loopClock(), performance.now()];
        await get(agent, `${server.origin}${path}`);
        own.push(since(ownStart));
        wall.push(performance.now() - wallStart);
      }
      return { own: summarize(own), wall: summarize(wall) };
    };

    progress('health probes while the database answers in 60 ms');
    // One probe first, as at start-up: the steady state is what is graded.
    await get(agent, `${server.origin}/readyz`);
    const live = await probe('/healthz');
    report({
      id: 'liveness-latency',
      summary: live.own,
      detail: `${live.own.n} probes; wall clock p95 ${live.wall.p95.toFixed(1)} ms`,
    });
    const ready = await probe('/readyz');
    report({
      id: 'readiness-latency',
      summary: ready.own,
      detail: `${ready.own.n} probes, database ping ${DB_PING_MS} ms; wall clock p95 ${ready.wall.p95.toFixed(1)} ms`,
    });

    progress('refusals while every slot is taken');
    const session = await openSession(agent, server.url, { 'x-client-id': 'bench' });
    const held = Array.from({ length: SLOTS }, () => session.call('hold').catch(() => undefined));
    const fullBy = performance.now() + 3_000;
    while (hold.stats.running < SLOTS && performance.now() < fullBy) await sleep(5);
    const refusals: number[] = [];
    let waited = 0;
    for (let i = 0; i < SHED_PROBES && waited < 3; i++) {
      const started = loopClock();
      const answer = await session.call('echo', { text: 'x' }, { signal: AbortSignal.timeout(SHED_GIVE_UP_MS) }).catch(() => undefined);
      if (answer?.status === 503) refusals.push(since(started));
      else {
        // Queued instead of refused: record the wait we gave up on.
        waited++;
        refusals.push(Math.max(SHED_GIVE_UP_MS, since(started)));
      }
    }
    hold.release();
    await Promise.all(held);
    const refused = summarize(refusals);
    report({
      id: 'shed-latency',
      summary: refused,
      detail:
        waited > 0
          ? `${waited} requests at a full server were still waiting after ${SHED_GIVE_UP_MS} ms instead of being refused; stopped after ${refused.n}`
          : `${refused.n} requests while both slots were held, each refused with 503`,
    });

    progress('10× overload: 20 clients, 2 slots, CPU-bound calls');
    // Time each request inside the server, from its arrival to its last byte,
    // on the loop clock; the clients run in a process of their own.
    const timings = new Map<string, { own: number[]; wall: number[]; status: number[] }>();
    server.http.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const label = req.headers['x-load'];
      if (typeof label !== 'string') return;
      const [ownStart, wallStart] = [loopClock(), performance.now()];
      res.once('finish', () => {
        const entry = timings.get(label) ?? { own: [], wall: [], status: [] };
        entry.own.push(since(ownStart));
        entry.wall.push(performance.now() - wallStart);
        entry.status.push(res.statusCode);
        timings.set(label, entry);
      });
    });
    // Size the call so that, alone, it costs CALL_MS in the server: the steps
    // of fixed work make up whatever HTTP, MCP and the rate limit do not.
    for (let i = 0; i < 9; i++) await session.call('crunch', { steps: 4 }, { headers: { 'x-load': 'alone' } });
    const alone = median(timings.get('alone')?.own ?? [CALL_MS]);
    const overheadMs = Math.max(0, alone - 4 * STEP_MS);
    const steps = Math.min(40, Math.max(2, Math.round((CALL_MS - overheadMs) / STEP_MS)));

    // Rounds of: the call alone, then the overload. Each admitted call is
    // compared with the call alone in its own round, so a machine that slows
    // down for a while slows both sides of the comparison.
    let peakRss = process.memoryUsage.rss();
    const rssTimer = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 50);
    crunch.stats.peak = 0;
    const relative: number[] = [];
    const roundP95s: number[] = [];
    const admitted: number[] = [];
    const admittedWall: number[] = [];
    const aloneMedians: number[] = [];
    const counts = { answered: 0, refused: 0, failed: 0, other: 0 };
    try {
      for (let round = 0; round < ROUNDS; round++) {
        progress(`10× overload: 20 clients, 2 slots, round ${round + 1} of ${ROUNDS}`);
        // Start each round with a clean heap, so a collection of the previous
        // rounds' garbage does not land in this one's tail.
        collectGarbage();
        for (let i = 0; i < 5; i++) await session.call('crunch', { steps }, { headers: { 'x-load': `alone-${round}` } });
        const aloneMs = median(timings.get(`alone-${round}`)!.own);
        aloneMedians.push(aloneMs);
        const got = await runLoad(server.url, { name: 'crunch', arguments: { steps } }, `overload-${round}`, round);
        for (const key of Object.keys(counts) as Array<keyof typeof counts>) counts[key] += got[key];
        const load = timings.get(`overload-${round}`) ?? { own: [], wall: [], status: [] };
        const thisRound: number[] = [];
        load.own.forEach((ms, i) => {
          if (load.status[i] !== 200) return;
          admitted.push(ms);
          admittedWall.push(load.wall[i]!);
          thisRound.push(ms / aloneMs);
        });
        relative.push(...thisRound);
        if (thisRound.length >= 20) roundP95s.push(summarize(thisRound).p95);
      }
    } finally {
      clearInterval(rssTimer);
    }
    const ownSummary = summarize(admitted);
    const relativeSummary = summarize(relative);
    const wallSummary = summarize(admittedWall);
    report({
      id: 'admitted-latency-under-overload',
      // The median of the rounds' p95s: a round the machine spoiled does not decide it.
      value: roundP95s.length >= 3 ? median(roundP95s) : Number.NaN,
      detail:
        `p95 per round ${roundP95s.map((r) => r.toFixed(1)).join(', ')}× alone; ` +
        `${admitted.length} calls admitted in ${ROUNDS} rounds, ${counts.refused} refused, peak ${crunch.stats.peak} running at once; ` +
        `one call alone ≈ ${median(aloneMedians).toFixed(1)} ms (${steps} steps of ${STEP_MS} ms); ` +
        `p99 ${relativeSummary.p99.toFixed(1)}× alone; admitted, time in the server: p50 ${ownSummary.p50.toFixed(1)} p99 ${ownSummary.p99.toFixed(1)} ms (wall clock p99 ${wallSummary.p99.toFixed(1)} ms)` +
        (counts.failed + counts.other > 0 ? `; ${counts.failed + counts.other} calls failed` : ''),
    });
    report({
      id: 'peak-rss-under-overload',
      value: peakRss / 1024 / 1024,
      detail: `resident set of the server's process sampled every 50 ms`,
    });
  } finally {
    await instances.closeAll();
    await agent.close().catch(() => {});
    await redis.cleanup();
  }
});
