// Ten times more callers than the server admits: the surplus is refused at
// once (503, Retry-After), the admitted calls keep their latency, memory stays
// bounded. Then SIGTERM in the middle of long calls: they finish, new calls
// are refused, the process exits 0.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleSum } from '../support/prometheus.ts';
import { seededRandom } from '../support/random.ts';
import { reachable, realServiceUrl } from '../../workbook/backends/services.ts';
import { callTool, callToolPolitely, client, getJson, heldToolCall, percentile, startServer, toolText } from './harness.ts';

const realServices = { postgres: { url: realServiceUrl('postgres') } };

const onCi = Boolean(process.env.CI);
const MiB = 1024 * 1024;
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe('10× overload', async () => {
  // On the embedded PGlite the process holds ≈ 270-300 MB of WebAssembly memory
  // before serving anything; the memory bound is about the server, so this
  // runs against the real PostgreSQL.
  const postgresUp = await reachable(realServices.postgres.url);
  if (!postgresUp) console.warn(`SKIPPED overload test: nothing answers at ${realServices.postgres.url}`);

  it.skipIf(!postgresUp && !onCi)('sheds at the limit (503 + Retry-After), never admits more, RSS < 512 MB', async () => {
    const MAX_IN_FLIGHT = 4;
    const schema = `wbsrv_${process.pid}_${Date.now().toString(36)}`;
    cleanups.push(async () => {
      const admin = new pg.Client({ connectionString: realServices.postgres.url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });
    const server = await startServer({
      // Both of chapter 10's signals on: calls in flight, and event-loop delay (the server's default, 100 ms).
      env: { DATABASE_URL: realServices.postgres.url, MCP_DB_SCHEMA: schema, MCP_SEED_USERS: '2000', MCP_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT), MCP_MAX_EVENT_LOOP_DELAY_MS: '100' },
    });
    cleanups.push(() => server.stop());
    const callers = 10 * MAX_IN_FLIGHT;
    const pool = client(server.origin, callers);
    cleanups.push(() => pool.close());
    for (let i = 1; i < 20; i++) toolText(await callToolPolitely(pool, 'get_users', { ids: [i] }));

    const admitted: number[] = [];
    const shed: number[] = [];
    const other: string[] = [];
    let shedInFlight = 0;
    let peakRss = 0;
    const random = seededRandom(11);
    // At least 3 s of overload, then until 150 calls were admitted (a count,
    // not a time: a busy machine admits fewer a second), and never past 25 s.
    const started = performance.now();
    const until = started + 25_000;
    const enough = () => performance.now() - started > 3_000 && admitted.length >= 150;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (performance.now() < until && !enough()) {
          const first = 1 + Math.floor(random() * 1990);
          const answer = await callTool(pool, 'get_users', { ids: [first, first + 3, first + 7] });
          if (answer.status === 503 && answer.headers['retry-after'] === '1' && answer.json?.error?.code === -32000) {
            shed.push(answer.ms);
            if (/in flight/.test(answer.json.error.message)) shedInFlight++;
          }
          else if (answer.status === 200 && !answer.json?.result?.isError) admitted.push(answer.ms);
          else other.push(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
        }
      }),
    );
    peakRss = Math.max(peakRss, server.rssBytes());
    admitted.sort((a, b) => a - b);
    shed.sort((a, b) => a - b);
    const status = JSON.parse(toolText(await callToolPolitely(pool, 'status')));
    // The server's own clock on the admitted calls (chapter 2's histogram):
    // the client's includes its own 40-connection event loop on a shared machine.
    const served = JSON.parse(toolText(await callToolPolitely(pool, 'metrics'))).tools.get_users as { count: number; p50: number; p99: number };
    const summary =
      `client: admitted ${admitted.length} (p50 ${percentile(admitted, 50).toFixed(1)} p99 ${percentile(admitted, 99).toFixed(1)} ms), ` +
      `shed ${shed.length} (${shedInFlight} for calls in flight, the rest for event-loop delay; p50 ${percentile(shed, 50).toFixed(1)} p99 ${percentile(shed, 99).toFixed(1)} ms); ` +
      `server: get_users p50 ${served.p50.toFixed(1)} p99 ${served.p99.toFixed(1)} ms over ${served.count} calls, ` +
      `peak in flight ${status.calls.peakInFlight}, RSS ${Math.round(peakRss / MiB)} MiB`;
    console.log(`overload: ${summary}`);
    expect(other.slice(0, 5)).toEqual([]);
    expect(shed.length, summary).toBeGreaterThan(0);
    expect(status.calls.peakInFlight, summary).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    expect(served.count, summary).toBeGreaterThanOrEqual(100);
    // Chapter 10's Prometheus counter saw every refusal the clients saw (and
    // any of the polite status/metrics calls' retries).
    const scraped = await pool.request({ path: '/metrics', method: 'GET' });
    const shedSeries = sampleSum(await scraped.body.text(), 'mcp_requests_shed_total');
    expect(shedSeries, summary).toBeGreaterThanOrEqual(shed.length);
    // The latencies are printed, not asserted: on a shared 2-core machine a
    // wall-clock bound flips with the neighbours' load. Admitted p99 < 50 ms
    // is measured by `npm run loadtest -- --overload` (see server/README.md).
    expect(peakRss, summary).toBeLessThan(512 * MiB);
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});

describe('SIGTERM under load', () => {
  it('in-flight calls finish, new calls are refused, the process exits 0', async () => {
    const server = await startServer({ env: { MCP_SHUTDOWN_GRACE_MS: '20000' } });
    cleanups.push(() => server.stop('SIGKILL'));
    const pool = client(server.origin, 8);
    cleanups.push(() => pool.close());
    const random = seededRandom(5);
    const documents = Array.from({ length: 300 }, () => Array.from({ length: 3_000 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join(''));
    toolText(await callTool(pool, 'sign_documents', { documents: documents.slice(0, 10) }));

    // Six long calls, their bodies released together so all six are handled at
    // once (sent plainly, the first could finish before the last was uploaded).
    const held = Array.from({ length: 6 }, () => heldToolCall(pool, 'sign_documents', { documents }));
    const calls = held.map((call) => call.answer);
    // A status round trip: the idle server has read what was sent so far.
    toolText(await callTool(pool, 'status'));
    for (const call of held) call.release();
    // Wait until all six are being handled (the status call itself is the seventh):
    // bounded by time, not tries, as each status call is slower on a busy machine.
    let inFlight = 0;
    for (const deadline = performance.now() + 20_000; inFlight < 7 && performance.now() < deadline; await sleep(20)) {
      inFlight = JSON.parse(toolText(await callToolPolitely(pool, 'status'))).calls.inFlight as number;
    }
    server.child.kill('SIGTERM');
    // Draining once /readyz says so (on a connection the pool already holds).
    let drainSignal: string | undefined;
    for (let tries = 0; tries < 200 && !drainSignal; tries++) {
      const ready = await getJson(pool, '/readyz').catch(() => undefined);
      // Refused: it no longer accepts connections, which is draining too.
      if (!ready) drainSignal = 'connection refused';
      else if (ready.status === 503) drainSignal = ready.json?.status;
      else await sleep(10);
    }
    const late = await callTool(pool, 'lookup', { key: 'item-1' }).catch((error: Error) => ({ status: 0, text: error.message }));

    const answers = await Promise.all(calls);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.json.result.isError).toBeUndefined();
      expect(JSON.parse(toolText(answer)).documents).toBe(300);
    }
    expect(inFlight, 'the long calls were in flight when SIGTERM arrived').toBeGreaterThanOrEqual(7);
    // Chapter 10's readiness says why: the orchestrator stops routing here.
    expect(['draining', 'connection refused']).toContain(drainSignal);
    // Refused clearly: 503 on a kept-alive connection, or no new connection accepted.
    expect(late.status === 503 || late.status === 0, `late call: ${late.status} ${late.text.slice(0, 200)}`).toBe(true);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
