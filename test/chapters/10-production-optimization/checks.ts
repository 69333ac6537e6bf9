// Chapter 10 checks. Every verdict is a count: calls that failed behind a
// round-robin proxy, tokens granted across two instances, requests left
// waiting at a full server, dependency checks per 100 probes, requests lost
// at shutdown (in a server process of its own, sent a real SIGTERM), series
// in /metrics. Timings appear only as generous bounds on "did it answer at
// all", never as the thing graded. Embedded Redis by default, real with REDIS_URL.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, expect } from 'vitest';
import { defineChecks } from '../../../workbook/authoring/define-checks.ts';
import { redisHarness, type RedisHarness } from '../../../workbook/backends/redis.ts';
import { seededRandom } from '../../support/random.ts';
import { get, httpAgent, openSession, post, resultText, toolCall, type RawResponse } from './http-client.ts';
import { instanceFactory } from './instances.ts';
import { roundRobinProxy } from './proxy.ts';
import { runShutdown, type ShutdownOutcome } from './shutdown-run.ts';
import { sampleSum, seriesOf } from '../../support/prometheus.ts';
import { echoTool, failTool, holdTool, manualClock } from './tools.ts';

type ServerModule = typeof import('../../../solutions/10-production-optimization/server.ts');
type LimiterModule = typeof import('../../../solutions/10-production-optimization/rate-limit.ts');
type HealthModule = typeof import('../../../solutions/10-production-optimization/health.ts');
type AdmissionModule = typeof import('../../../solutions/10-production-optimization/admission.ts');
type TelemetryModule = typeof import('../../../solutions/10-production-optimization/observability.ts');
type DependencyCheck = Parameters<HealthModule['createHealth']>[0][number];

const { check, subject } = defineChecks(10);
const { startServer } = await subject<ServerModule>('server.ts');
const { createRateLimiter } = await subject<LimiterModule>('rate-limit.ts');
const { createHealth } = await subject<HealthModule>('health.ts');
const { createAdmissionControl } = await subject<AdmissionModule>('admission.ts');
const { createTelemetry } = await subject<TelemetryModule>('observability.ts');

// The two shutdown scenarios run in server processes of their own. Starting
// them now lets their start-up (a second or two) overlap the checks below.
const shutdownRedis = await redisHarness();
const shutdownRuns = {
  underLoad: runShutdown({ clients: 12, drainTimeoutMs: 5_000, exitDeadlineMs: 7_000, prefix: `${shutdownRedis.prefix}load:` }),
  stuck: runShutdown({
    clients: 2,
    stuckCall: true,
    drainTimeoutMs: 800,
    exitDeadlineMs: 6_000,
    prefix: `${shutdownRedis.prefix}stuck:`,
  }),
};
for (const run of Object.values(shutdownRuns)) run.catch(() => {});
/** Delete the shutdown runs' keys once both are over (the last shutdown check does it; afterAll in case it did not run). */
let shutdownCleanup: Promise<void> | undefined;
const cleanUpShutdownRuns = () =>
  (shutdownCleanup ??= Promise.allSettled(Object.values(shutdownRuns)).then(() => shutdownRedis.cleanup()));
afterAll(cleanUpShutdownRuns);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** Redis (its own key prefix), an HTTP agent, and instances on both. */
async function setup() {
  const redis = await redisHarness();
  cleanups.push(() => redis.cleanup());
  const agent = httpAgent();
  cleanups.push(() => agent.close());
  const instances = instanceFactory(startServer, redis);
  cleanups.push(() => instances.closeAll());
  return { redis, agent, open: instances.open };
}

/** `promise`, or a failed check saying what did not answer within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll `read` until `done` says yes or the time is up; returns the last value. */
async function eventually<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 1_500): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let value = await read();
  while (!done(value) && performance.now() < deadline) {
    await sleep(10);
    value = await read();
  }
  return value;
}

/**
 * Blocks the event loop for `stallMs` at a time, letting timers run between
 * stalls, until `refused()` says yes or `forMs` has passed. Returns whether it did.
 */
async function whileLoopLags(stallMs: number, forMs: number, refused: () => Promise<boolean>): Promise<boolean> {
  const deadline = performance.now() + forMs;
  while (performance.now() < deadline) {
    const stallUntil = performance.now() + stallMs;
    while (performance.now() < stallUntil) {
      // Synchronous: the event loop is blocked.
    }
    await sleep(1); // the timers phase: the gauge records how late it ran
    if (await refused()) return true;
  }
  return false;
}

/** What a refusal must carry: the status, a Retry-After a client can obey, and a JSON-RPC error. */
function expectRefusal(response: RawResponse, status: number, what: string): void {
  expect(response.status, `${what}: HTTP status`).toBe(status);
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1, `${what}: a Retry-After header of whole seconds ≥ 1 (got ${response.headers['retry-after']})`).toBe(true);
  expect(response.json?.jsonrpc, `${what}: the body should be a JSON-RPC error`).toBe('2.0');
  expect(typeof response.json?.error?.message, `${what}: the JSON-RPC error needs a message saying why`).toBe('string');
}

check('serves-mcp-over-http', async () => {
  const { agent, open } = await setup();
  const { server } = await open({ tools: [echoTool] }, { allowedOrigins: ['http://localhost:5173'] });
  expect(new URL(server.url).hostname, 'bind to 127.0.0.1, not every interface').toBe('127.0.0.1');

  const client = new Client({ name: 'workbook-check', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  cleanups.push(() => client.close());
  const tools = await client.listTools();
  expect(tools.tools.map((t) => t.name)).toContain('echo');
  const result = await client.callTool({ name: 'echo', arguments: { text: 'over http' } });
  expect(result.content, 'echo over Streamable HTTP').toEqual([{ type: 'text', text: 'over http' }]);

  const session = await openSession(agent, server.url);
  const foreign = await session.call('echo', { text: 'x' }, { headers: { origin: 'http://evil.example' } });
  expect(foreign.status, 'a request from a web page on another origin must be refused (403)').toBe(403);
  const allowed = await session.call('echo', { text: 'from the dev site' }, { headers: { origin: 'http://localhost:5173' } });
  expect(resultText(allowed), 'an origin in allowedOrigins is served').toBe('from the dev site');
  const broken = await post(agent, server.url, '{"jsonrpc": "2.0", "method": tools/call', { headers: session.headers });
  expect(broken.status, 'a body that is not JSON is a client error (4xx), not a crash').toBeGreaterThanOrEqual(400);
  expect(broken.status).toBeLessThan(500);
});

check('scales-behind-round-robin', async ({ report }) => {
  const { open } = await setup();
  const a = await open({ tools: [echoTool] });
  const b = await open({ tools: [echoTool] });
  const proxy = await roundRobinProxy([a.server.origin, b.server.origin]);
  cleanups.push(() => proxy.close());

  const random = seededRandom(1010);
  const texts = Array.from({ length: 12 }, () => `note ${Math.floor(random() * 1e9).toString(36)}`);
  let failed = 0;
  const problems: string[] = [];
  const attempt = async (what: string, op: () => Promise<unknown>) => {
    try {
      await op();
    } catch (error) {
      failed++;
      if (problems.length < 3) problems.push(`${what}: ${(error as Error).message.slice(0, 160)}`);
    }
  };
  const client = new Client({ name: 'workbook-check', version: '1.0.0' });
  cleanups.push(() => client.close());
  await attempt('initialize', () =>
    client.connect(new StreamableHTTPClientTransport(new URL('/mcp', proxy.url), { requestInit: { headers: { 'x-client-id': 'roaming' } } })),
  );
  await attempt('tools/list', async () => {
    const { tools } = await client.listTools();
    if (!tools.some((t) => t.name === 'echo')) throw new Error('echo is missing from tools/list');
  });
  for (let i = 0; i < texts.length; i += 4) {
    await Promise.all(
      texts.slice(i, i + 4).map((text) =>
        attempt('tools/call', async () => {
          const result = await client.callTool({ name: 'echo', arguments: { text } });
          const answer = (result.content as Array<{ text?: string }>)[0]?.text;
          if (result.isError || answer !== text) throw new Error(`expected "${text}", got ${JSON.stringify(result.content)}`);
        }),
      ),
    );
  }
  report({
    id: 'failed-calls-behind-proxy',
    value: failed,
    detail: `${failed} of ${texts.length + 2} operations failed; instance A got ${proxy.served[0]} requests, B ${proxy.served[1]}`,
  });
  expect(failed, `calls through a round-robin proxy failed:\n${problems.join('\n')}`).toBe(0);
  const total = proxy.served[0]! + proxy.served[1]!;
  expect(Math.min(...proxy.served) / total, 'both instances should have answered a fair share').toBeGreaterThan(0.3);
}, { timeout: 10_000 });

check('limits-across-instances', async ({ report }) => {
  const { redis, agent, open } = await setup();

  // Through the servers: one client's calls alternate between two instances.
  const limit = { capacity: 10, refillPerSecond: 0.001, now: manualClock().now };
  const a = await open({ tools: [echoTool] }, { rateLimit: limit });
  const b = await open({ tools: [echoTool] }, { rateLimit: limit });
  const headers = { 'x-client-id': 'carol' };
  const sessions = [await openSession(agent, a.server.url, headers), await openSession(agent, b.server.url, headers)];
  const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => sessions[i % 2]!.call('echo', { text: `call ${i}` })));
  const served = answers.filter((r) => resultText(r) !== undefined).length;
  report({
    id: 'limiter-accuracy',
    value: 1 - Math.abs(served - limit.capacity) / limit.capacity,
    detail: `${served} of 30 calls allowed for a limit of ${limit.capacity}, alternating between two instances (${redis.target})`,
  });
  expect(served, `30 calls of one client over two instances with a limit of 10: ${served} were served`).toBe(10);
  const limited = answers.find((r) => r.status !== 200);
  expectRefusal(limited!, 429, 'a call over the rate limit');

  // The limiter itself: concurrent takes, a second client, refill on the clock, expiry.
  const clock = manualClock();
  const bucket = { capacity: 10, refillPerSecond: 5, keyPrefix: `${redis.prefix}limit:`, now: clock.now };
  const first = createRateLimiter(redis.connect('commands'), bucket);
  const second = createRateLimiter(redis.connect('commands'), bucket);
  const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? first : second).take('alice')));
  const granted = burst.filter((d) => d.allowed).length;
  expect(granted, `30 concurrent requests from one client on two instances, bucket of 10: ${granted} were allowed`).toBe(10);
  const refused = burst.find((d) => !d.allowed)!;
  expect(refused.retryAfterMs, 'a refusal says when the next token arrives (5 per second: within 200 ms)').toBeGreaterThan(0);
  expect(refused.retryAfterMs).toBeLessThanOrEqual(200);
  const bob = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? second : first).take('bob')));
  expect(bob.filter((d) => d.allowed).length, 'another client has a bucket of its own').toBe(10);

  clock.advance(1_000);
  const refill = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? first : second).take('alice')));
  expect(refill.filter((d) => d.allowed).length, 'one second later, at 5 tokens per second: exactly 5 more').toBe(5);

  let keys = 0;
  for await (const batch of redis.inspect.scanStream({ match: `${bucket.keyPrefix}*`, count: 100 }) as AsyncIterable<string[]>) {
    for (const key of batch) {
      keys++;
      expect(await redis.inspect.pttl(key), `${key} has no expiry: every client ever seen would stay in Redis forever`).toBeGreaterThan(0);
    }
  }
  expect(keys, 'the buckets should be kept in Redis, where every instance sees them').toBeGreaterThan(0);
}, { timeout: 10_000 });

check('sheds-at-in-flight-limit', async ({ report }) => {
  const { agent, open } = await setup();
  const hold = holdTool();
  const { server } = await open({ tools: [echoTool, hold.tool] }, { admission: { maxInFlight: 3, eventLoopDelay: () => 0 } });
  const session = await openSession(agent, server.url);

  const held = Array.from({ length: 3 }, () => session.call('hold'));
  for (const call of held) call.catch(() => {});
  const running = await eventually(() => hold.stats.running, (n) => n === 3);
  expect(running, 'three calls of the hold tool should be running').toBe(3);

  const overflow = 27;
  const answered: RawResponse[] = [];
  const extra = Array.from({ length: overflow }, (_, i) =>
    session.call('echo', { text: `extra ${i}` }, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => {
        answered.push(response);
        return response;
      },
      () => undefined,
    ),
  );
  // A refusal comes back whatever the machine's speed; a queued request only after the release.
  await eventually(() => answered.length, (n) => n === overflow, 3_000);
  const waiting = overflow - answered.length;
  report({
    id: 'requests-waiting-beyond-limit',
    value: waiting,
    detail: `maxInFlight 3, all held; ${overflow} more arrived at once: ${answered.length} answered while the slots were held, ${waiting} waiting`,
  });
  expect(waiting, `${waiting} of ${overflow} requests past the limit were still waiting 3 s later: refuse them instead of queueing`).toBe(0);
  for (const response of answered) expectRefusal(response, 503, 'a request past maxInFlight');

  expect((await get(agent, `${server.origin}/healthz`)).status, 'health probes are never shed').toBe(200);
  expect((await get(agent, `${server.origin}/metrics`)).status, 'metrics are never shed').toBe(200);

  hold.release();
  const finished = await within(Promise.all(held), 2_000, 'the held calls after release');
  expect(finished.map(resultText), 'the admitted calls finish normally').toEqual(['released', 'released', 'released']);
  await Promise.all(extra);
  expect(resultText(await session.call('echo', { text: 'after' })), 'with slots free again, requests are admitted').toBe('after');
}, { timeout: 10_000 });

check('sheds-on-event-loop-delay', async () => {
  const { agent, open } = await setup();
  let delayMs = 0;
  const { server } = await open({ tools: [echoTool] }, { admission: { maxInFlight: 100, maxEventLoopDelayMs: 50, eventLoopDelay: () => delayMs } });
  const session = await openSession(agent, server.url);
  expect(resultText(await session.call('echo', { text: 'calm' })), 'a calm event loop admits').toBe('calm');
  delayMs = 200;
  const lagging = await within(session.call('echo', { text: 'busy' }), 1_000, 'a request while the loop lags 200 ms');
  expectRefusal(lagging, 503, 'a request while the event loop lags 200 ms (limit 50)');
  delayMs = 10;
  expect(resultText(await session.call('echo', { text: 'recovered' })), 'once the lag is gone, requests are admitted again').toBe('recovered');

  // With no gauge given, the admission control measures the loop itself.
  const own = createAdmissionControl({ maxInFlight: 100, maxEventLoopDelayMs: 50 });
  cleanups.push(async () => own.close());
  // A second of calm first: the gauge must report recent lag, not a mean
  // since it started that calm ticks have diluted.
  await sleep(1_000);
  // Sustained lag, as a saturated CPU makes it: the loop is blocked 150 ms at a
  // time, with a moment between stalls for timers to run and a request to come
  // in. One long stall would not do: a gauge that averages over a window (as
  // the lesson's does, so one GC pause turns no one away) may dilute it with
  // the calm ticks before it, depending on where in the window it falls.
  const refusedWhileLagging = await whileLoopLags(150, 3_000, async () => {
    const ticket = await own.admit();
    if (ticket.admitted) ticket.release();
    return !ticket.admitted;
  });
  expect(refusedWhileLagging, 'while the loop was blocked 150 ms at a time for up to 3 s, the default gauge (monitorEventLoopDelay) should report the lag and admit() refuse (maxEventLoopDelayMs 50)').toBe(true);
  const recovered = await eventually(
    async () => {
      const ticket = await own.admit();
      if (ticket.admitted) ticket.release();
      return ticket.admitted;
    },
    (admitted) => admitted,
    4_000,
  );
  expect(recovered, 'once the loop is free again, admit() admits again').toBe(true);
}, { timeout: 10_000 });

/** A dependency the check controls: counts its calls, answers, fails or never answers. */
function dependency(name: string) {
  const state = { calls: 0, mode: 'ok' as 'ok' | 'fail' | 'hang' };
  const check: DependencyCheck = {
    name,
    async check(signal: AbortSignal) {
      state.calls++;
      if (state.mode === 'fail') throw new Error(`${name} refused the connection`);
      if (state.mode === 'hang') return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      await sleep(2);
      return 'PONG';
    },
  };
  return { state, check };
}

check('liveness-ignores-dependencies', async () => {
  const redisDep = dependency('redis');
  const dbDep = dependency('database');
  redisDep.state.mode = 'fail';
  dbDep.state.mode = 'hang';
  const health = createHealth([redisDep.check, dbDep.check], { timeoutMs: 50 });
  // Let any round of checks started at creation finish (it gives up after timeoutMs).
  await sleep(100);
  const callsBefore = redisDep.state.calls + dbDep.state.calls;
  for (let i = 0; i < 20; i++) {
    const report = await within(health.liveness(), 200, 'liveness while the database hangs');
    expect(report.ok, 'liveness while Redis is down and the database hangs: the process itself is fine').toBe(true);
  }
  expect(redisDep.state.calls + dbDep.state.calls - callsBefore, 'liveness probes must not call dependencies').toBe(0);

  const { agent, open } = await setup();
  const down = dependency('redis');
  down.state.mode = 'fail';
  const { server } = await open({ tools: [echoTool], dependencies: [down.check] }, { health: { timeoutMs: 50 } });
  expect((await get(agent, `${server.origin}/healthz`)).status, '/healthz with Redis down').toBe(200);
  const ready = await eventually(() => get(agent, `${server.origin}/readyz`), (r) => r.status === 503, 1_000);
  expect(ready.status, '/readyz with Redis down: take no traffic').toBe(503);
});

check('readiness-cached-and-bounded', async ({ report }) => {
  const clock = manualClock();
  const redisDep = dependency('redis');
  const dbDep = dependency('database');
  const health = createHealth([redisDep.check, dbDep.check], { cacheMs: 1_000, timeoutMs: 50, now: clock.now });

  const concurrent = await Promise.all(Array.from({ length: 50 }, () => health.readiness()));
  const sequential = [];
  for (let i = 0; i < 50; i++) sequential.push(await health.readiness());
  expect([...concurrent, ...sequential].every((r) => r.ok), 'every probe reports ready').toBe(true);
  report({
    id: 'dependency-checks-per-100-probes',
    value: redisDep.state.calls,
    detail: `Redis was pinged ${redisDep.state.calls} times and the database ${dbDep.state.calls} for 100 probes in one 1 s window`,
  });
  expect(redisDep.state.calls, '100 probes within one cache window should share one dependency check').toBeLessThanOrEqual(1);

  clock.advance(1_500);
  dbDep.state.mode = 'fail';
  const afterFailure = await eventually(() => health.readiness(), (r) => !r.ok, 1_000);
  expect(afterFailure.ok, 'once the cache window has passed, a failed database must show up in readiness').toBe(false);
  expect(afterFailure.checks.database?.ok, 'the report names the dependency that failed').toBe(false);

  const hung = dependency('database');
  hung.state.mode = 'hang';
  const slow = createHealth([hung.check], { timeoutMs: 50 });
  const report2 = await within(slow.readiness(), 1_000, 'readiness with a database that never answers (timeoutMs 50)');
  expect(report2.ok, 'a dependency that does not answer within timeoutMs counts as down').toBe(false);

  health.setDraining();
  const callsBefore = redisDep.state.calls;
  const draining = await health.readiness();
  expect(draining.ok, 'while draining, readiness says no').toBe(false);
  expect(draining.status).toBe('draining');
  expect(redisDep.state.calls, 'a draining instance need not ask its dependencies').toBe(callsBefore);
});

/** Everything a shutdown run printed to stderr, for a failure message. */
const tail = (outcome: ShutdownOutcome) => (outcome.stderr.trim() ? `\nserver stderr:\n${outcome.stderr.slice(-800)}` : '');

check('drains-on-sigterm', async ({ report }) => {
  const outcome = await shutdownRuns.underLoad;
  report({
    id: 'requests-lost-at-shutdown',
    value: outcome.lost,
    detail:
      `${outcome.acceptedBeforeSignal} requests accepted before SIGTERM (${outcome.heldAtSignal} mid-query at the signal), ${outcome.lost} lost; ` +
      `${outcome.refusedAfterSignal} refused after it (retried elsewhere by a balancer); exit ${outcome.exitCode} after ${outcome.exitAfterMs} ms`,
  });
  expect(outcome.acceptedBeforeSignal, 'the server should have been busy when the signal came').toBeGreaterThanOrEqual(12);
  expect(outcome.heldAtSignal, `no request was in flight when SIGTERM came: the server stopped answering before it${tail(outcome)}`).toBeGreaterThan(0);
  expect(outcome.lost, `${outcome.lost} of ${outcome.acceptedBeforeSignal} requests accepted before SIGTERM never got their answer${tail(outcome)}`).toBe(0);
  expect(outcome.killed, `the process was still running ${7_000} ms after SIGTERM${tail(outcome)}`).toBe(false);
  expect(outcome.exitCode, `exit code after a clean drain${tail(outcome)}`).toBe(0);
  expect(outcome.databaseClosed, 'the database pool was never closed').toBeDefined();
  expect(outcome.databaseClosed?.queriesRunning, 'the pool was closed while queries were still running').toBe(0);
  expect(outcome.redisClosed, 'the Redis connection was never closed').toBeDefined();
  expect(outcome.redisClosed?.reportsRunning, 'Redis was closed while requests still needed it').toBe(0);
}, { timeout: 30_000 });

check('shutdown-is-bounded', async () => {
  try {
    const outcome = await shutdownRuns.stuck;
    expect(outcome.killed, `with one request that never finishes and drainTimeoutMs 800, the process had not exited 6 s after SIGTERM${tail(outcome)}`).toBe(false);
    expect(outcome.exitAfterMs, 'exit soon after the drain timeout (800 ms)').toBeLessThan(800 + 2_500);
  } finally {
    await cleanUpShutdownRuns();
  }
}, { timeout: 30_000 });

check('metrics-have-bounded-labels', async ({ report }) => {
  const { agent, open } = await setup();
  const { server } = await open(
    { tools: [echoTool, failTool] },
    { rateLimit: { capacity: 3, refillPerSecond: 0.001 }, telemetry: { defaultMetrics: true, profileSampleRate: 0 } },
  );
  const session = await openSession(agent, server.url);
  const random = seededRandom(300);
  const clients = Array.from({ length: 100 }, () => `client-${Math.floor(random() * 1e12).toString(36)}`);
  for (let i = 0; i < clients.length; i += 25) {
    await Promise.all(clients.slice(i, i + 25).map((client) => session.call('echo', { text: 'hi' }, { headers: { 'x-client-id': client } })));
  }
  await Promise.all(clients.slice(0, 20).map((client) => session.call('fail', {}, { headers: { 'x-client-id': client } })));
  for (let i = 0; i < 4; i++) await session.call('echo', { text: 'again' }, { headers: { 'x-client-id': clients[0]! } });

  const response = await get(agent, `${server.origin}/metrics`);
  expect(response.status).toBe(200);
  expect(String(response.headers['content-type']), 'the Prometheus text format').toContain('text/plain');
  const text = response.text;
  const series = seriesOf(text, 'mcp_');
  report({ id: 'metric-series-for-100-clients', value: series.length, detail: `${series.length} mcp_* series after calls from ${clients.length} clients` });
  const leaked = clients.filter((client) => text.includes(client));
  expect(leaked.length, `${leaked.length} client ids appear in /metrics: each one is a series Prometheus keeps`).toBe(0);
  expect(series.length, `${series.length} mcp_* series for 2 tools`).toBeLessThanOrEqual(100);
  expect(sampleSum(text, 'mcp_tool_calls_total', { tool: 'echo', outcome: 'ok' }), 'mcp_tool_calls_total{tool="echo",outcome="ok"}').toBe(101);
  expect(sampleSum(text, 'mcp_tool_calls_total', { tool: 'fail', outcome: 'error' }), 'mcp_tool_calls_total{tool="fail",outcome="error"}').toBe(20);
  expect(sampleSum(text, 'mcp_tool_duration_seconds_count', { tool: 'echo' }), 'mcp_tool_duration_seconds (a histogram) counts every echo').toBe(101);
  expect(sampleSum(text, 'mcp_rate_limited_total'), 'mcp_rate_limited_total: one client went 3 calls over its limit').toBe(3);
  expect(text, 'process metrics (collectDefaultMetrics) for RSS alerts').toContain('process_resident_memory_bytes');
}, { timeout: 10_000 });

check('logs-each-call', async () => {
  const { agent, open } = await setup();
  const { server, logs } = await open({ tools: [echoTool, failTool] });
  const session = await openSession(agent, server.url);
  for (const client of ['ada', 'grace', 'edsger']) await session.call('echo', { text: 'x' }, { headers: { 'x-client-id': client } });
  await session.call('fail', {}, { headers: { 'x-client-id': 'barbara' } });
  await server.telemetry.close();
  const unparsed = logs.filter((line) => 'unparsed' in line);
  expect(unparsed, 'every log line should be one JSON object').toEqual([]);
  const calls = logs.filter((line) => typeof line.tool === 'string');
  expect(calls.map((line) => [line.tool, line.client, line.outcome]), 'one line per tool call, with tool, client and outcome').toEqual([
    ['echo', 'ada', 'ok'],
    ['echo', 'grace', 'ok'],
    ['echo', 'edsger', 'ok'],
    ['fail', 'barbara', 'error'],
  ]);
  for (const line of calls) {
    expect(typeof line.durationMs, 'durationMs, a number').toBe('number');
    expect(typeof line.time, 'a timestamp').toBe('number');
  }
});

check('profiles-a-sample', async () => {
  const sampled = (rate: number) => {
    const telemetry = createTelemetry({ instanceId: 'check', profileSampleRate: rate, random: seededRandom(99), defaultMetrics: false, logStream: { write() {} } });
    for (let i = 0; i < 1_000; i++) telemetry.startSpan('tool:echo')();
    return telemetry.spans().find((s) => s.name === 'tool:echo')?.count ?? 0;
  };
  const tenth = sampled(0.1);
  expect(tenth, `profileSampleRate 0.1 over 1000 spans timed ${tenth}`).toBeGreaterThanOrEqual(60);
  expect(tenth).toBeLessThanOrEqual(140);
  expect(sampled(0), 'rate 0 times nothing').toBe(0);
  expect(sampled(1), 'rate 1 times every span').toBe(1_000);

  const { agent, open } = await setup();
  const { server } = await open({ tools: [echoTool] }, { telemetry: { profileSampleRate: 1 } });
  const session = await openSession(agent, server.url);
  for (let i = 0; i < 5; i++) await session.call('echo', { text: `${i}` });
  const span = server.telemetry.spans().find((s) => s.name === 'tool:echo');
  expect(span?.count, 'the server opens a span "tool:<name>" around each tool call').toBe(5);
});
