// Backends going away under load. Redis: a redis-server of this test's own on
// a free port is killed mid-load and restarted: no cached read may fail, and
// the cache must reconnect. PostgreSQL: the real server stays up; a TCP proxy
// of ours in front of it is cut, so the tools see an unreachable database:
// clear tool errors, the MCP server stays up, and recovers when the proxy returns.
import { existsSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '../../workbook/backends/redis.ts';
import { reachable, realServiceUrl } from '../../workbook/backends/services.ts';

const realServices = { postgres: { url: realServiceUrl('postgres') } };
import { callTool, callToolPolitely, client, getJson, startServer, toolText, type ServerProcess } from './harness.ts';

const onCi = Boolean(process.env.CI);
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

async function waitFor(what: string, timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await condition().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
}

const haveRedisServer = existsSync('/usr/bin/redis-server');
if (!haveRedisServer) console.warn('SKIPPED Redis outage test: /usr/bin/redis-server is not installed');

describe.skipIf(!haveRedisServer && !onCi)('Redis killed mid-load', () => {
  it('0 failed cached reads while Redis is down, and the cache reconnects when it returns', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const prefix = `wbtest:${process.pid}:`;
    // With a real Redis the per-client rate limit is on (default limits): it must fail open, not fail reads.
    const server: ServerProcess = await startServer({ env: { REDIS_URL: redis.url, MCP_REDIS_PREFIX: prefix, MCP_SEED_USERS: '1000', MCP_READINESS_CACHE_MS: '200' } });
    cleanups.push(() => server.stop());
    const pool = client(server.origin, 8);
    cleanups.push(() => pool.close());
    const status = async () => JSON.parse(toolText(await callTool(pool, 'status'))) as { redis: { status: string }; cache: { l2Hits: number; redisErrors: number } };

    // Warm the database (PGlite opens on first use) and fill L2 for ids 1..100.
    await waitFor('get_user answers', 30_000, async () => toolText(await callTool(pool, 'get_user', { id: 1 })).includes('user1'));
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    for (let i = 0; i < ids.length; i += 10) await Promise.all(ids.slice(i, i + 10).map(async (id) => toolText(await callToolPolitely(pool, 'get_user', { id }))));

    const failures: string[] = [];
    let reads = 0;
    let stop = false;
    const load = Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        for (let n = worker; !stop; n += 8) {
          // Past id 100 nothing is cached yet: those reads need Redis or the database.
          const id = (n % 600) + 1;
          const answer = await callTool(pool, 'get_user', { id });
          reads++;
          if (answer.status !== 200 || answer.json?.result?.isError || !toolText(answer).includes(`"id":${id}`)) {
            failures.push(`id ${id}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
          }
        }
      }),
    );
    await waitFor('50 reads before the outage', 20_000, async () => reads >= 50);
    await redis.stop(); // SIGKILL: no goodbye to the clients
    const readsBeforeOutage = reads;
    // The outage lasts a number of reads, not a number of seconds: the same test on a busy machine.
    await waitFor('200 reads while Redis is down', 40_000, async () => reads - readsBeforeOutage >= 200);
    // Readiness (chapter 10, cached and timeout-bounded) reports Redis down; liveness does not care.
    await waitFor('/readyz reports Redis down', 10_000, async () => {
      const ready = await getJson(pool, '/readyz');
      return ready.status === 503 && ready.json.checks.redis.ok === false && ready.json.checks.pglite.ok === true;
    });
    expect((await getJson(pool, '/healthz')).status).toBe(200);
    const errorsDuringOutage = (await status()).cache.redisErrors;
    const readsDuringOutage = reads - readsBeforeOutage;
    await redis.start();
    await waitFor('the cache reconnects to Redis', 10_000, async () => (await status()).redis.status === 'ready');
    await waitFor('/readyz recovers', 10_000, async () => (await getJson(pool, '/readyz')).status === 200);
    const readsAfterRestart = reads;
    await waitFor('50 reads after the restart', 20_000, async () => reads - readsAfterRestart >= 50);
    stop = true;
    await load;

    expect(failures.slice(0, 5)).toEqual([]);
    expect(readsDuringOutage, 'reads kept flowing while Redis was down').toBeGreaterThanOrEqual(200);
    expect(errorsDuringOutage, 'the outage was real: Redis commands failed and were absorbed').toBeGreaterThan(0);
    // Reconnected for real: a user read for the first time now lands in the restarted Redis.
    const errorsAfter = (await status()).cache.redisErrors;
    toolText(await callTool(pool, 'get_user', { id: 777 }));
    const inspect = new Redis(redis.url, { lazyConnect: true });
    cleanups.push(async () => inspect.disconnect());
    await inspect.connect();
    expect(await inspect.get(`${prefix}user:777`)).toContain('"id":777');
    expect((await status()).cache.redisErrors, 'no Redis errors after the reconnect').toBe(errorsAfter);
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});

describe('PostgreSQL unreachable', async () => {
  const postgresUp = await reachable(realServices.postgres.url);
  if (!postgresUp) console.warn(`SKIPPED PostgreSQL outage test: nothing answers at ${realServices.postgres.url}`);

  it.skipIf(!postgresUp && !onCi)('clear tool errors, the server stays up, and it recovers when the database returns', async () => {
    const target = new URL(realServices.postgres.url);
    const proxy = tcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.open(0);
    cleanups.push(() => proxy.close());
    const schema = `wbsrv_${process.pid}_${Date.now().toString(36)}`;
    const viaProxy = new URL(realServices.postgres.url);
    viaProxy.port = String(port);
    viaProxy.hostname = '127.0.0.1';
    cleanups.push(async () => {
      const admin = new pg.Client({ connectionString: realServices.postgres.url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });
    const server = await startServer({ env: { DATABASE_URL: viaProxy.toString(), MCP_DB_SCHEMA: schema, MCP_SEED_USERS: '200', MCP_READINESS_CACHE_MS: '200' } });
    cleanups.push(() => server.stop());
    const pool = client(server.origin, 4);
    cleanups.push(() => pool.close());

    await waitFor('search_users answers', 30_000, async () => toolText(await callTool(pool, 'search_users', { term: 'user1' })).includes('user1'));

    await proxy.cut();
    const started = performance.now();
    const down = await callTool(pool, 'search_users', { term: 'user2' });
    const downMs = performance.now() - started;
    expect(down.status).toBe(200);
    expect(down.json.result.isError).toBe(true);
    expect(toolText(down)).toMatch(/^database unavailable \(postgres\): /);
    // The pool gives up on a checkout after 3 s (chapter 5): an error, not a hang.
    expect(downMs).toBeLessThan(6_000);
    // Status is answered from memory while the database is away.
    expect(JSON.parse(toolText(await callTool(pool, 'status'))).database.mode).toBe('postgres');
    await waitFor('/readyz reports PostgreSQL down', 10_000, async () => {
      const ready = await getJson(pool, '/readyz');
      return ready.status === 503 && ready.json.checks.postgres.ok === false;
    });

    await proxy.open(port);
    await waitFor('search_users recovers', 15_000, async () => {
      const answer = await callTool(pool, 'search_users', { term: 'user3' });
      return !answer.json?.result?.isError && toolText(answer).includes('user3');
    });
    await waitFor('/readyz recovers', 10_000, async () => (await getJson(pool, '/readyz')).status === 200);
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});

/** A TCP forwarder we can cut (close and reset every connection) and reopen on the same port. */
function tcpProxy(host: string, port: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  return {
    open(listenPort: number): Promise<number> {
      server = net.createServer((inbound) => {
        const outbound = net.connect(port, host);
        for (const socket of [inbound, outbound]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {});
        }
        inbound.pipe(outbound).pipe(inbound);
        inbound.on('close', () => outbound.destroy());
        outbound.on('close', () => inbound.destroy());
      });
      return new Promise((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(listenPort, '127.0.0.1', () => resolve((server!.address() as net.AddressInfo).port));
      });
    },
    async cut() {
      const closing = server && new Promise((resolve) => server!.close(resolve));
      for (const socket of sockets) socket.resetAndDestroy();
      await closing;
    },
    close() {
      return this.cut();
    },
  };
}
