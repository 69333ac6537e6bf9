// Chapter 10's rate limit and health endpoints, wired into the reference
// server. Two server processes share one Redis (a redis-server of this test's
// own): a client's bucket is one bucket, whichever instance it calls. Health:
// /healthz and /readyz answer behind the same Host/Origin guards as /mcp.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '../../workbook/backends/redis.ts';
import { client, getJson, post, startServer, toolText, type RpcAnswer } from './harness.ts';

const onCi = Boolean(process.env.CI);
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

const haveRedisServer = existsSync('/usr/bin/redis-server');
if (!haveRedisServer) console.warn('SKIPPED shared rate limit test: /usr/bin/redis-server is not installed');

let nextId = 1;
function lookupAs(pool: ReturnType<typeof client>, clientId: string): Promise<RpcAnswer> {
  const body = { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name: 'lookup', arguments: { key: 'item-1' } } };
  return post(pool, body, { 'x-client-id': clientId });
}

describe.skipIf(!haveRedisServer && !onCi)('rate limit shared by two instances through one Redis', () => {
  it('a client gets one bucket across both instances; refusals are 429 + Retry-After + a JSON-RPC error; other clients are untouched', async () => {
    const BURST = 20;
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    // Refill 1 token/s: the count below allows for the seconds the test takes.
    const env = { REDIS_URL: redis.url, MCP_REDIS_PREFIX: `wbrl:${process.pid}:`, MCP_RATE_LIMIT_BURST: String(BURST), MCP_RATE_LIMIT_PER_SECOND: '1' };
    const [a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
    cleanups.push(() => a!.stop(), () => b!.stop());
    const pools = [client(a!.origin, 2), client(b!.origin, 2)];
    cleanups.push(...pools.map((pool) => () => pool.close()));

    const started = performance.now();
    const answers: RpcAnswer[] = [];
    // Alternate instances: each alone would allow BURST, together they must allow BURST in all.
    for (let i = 0; i < 2 * BURST; i++) answers.push(await lookupAs(pools[i % 2]!, 'alice'));
    const seconds = (performance.now() - started) / 1000;
    const allowed = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 429);
    const summary = `allowed ${allowed.length}, refused ${refused.length} of ${answers.length} in ${seconds.toFixed(1)} s`;

    expect(allowed.length + refused.length, summary).toBe(answers.length);
    for (const answer of allowed) expect(toolText(answer)).toContain('item-1');
    expect(allowed.length, summary).toBeGreaterThanOrEqual(BURST);
    expect(allowed.length, summary).toBeLessThanOrEqual(BURST + Math.ceil(seconds) + 1);
    // Both instances refused: the bucket each saw was the shared one.
    const refusedBy = new Set(answers.map((answer, i) => (answer.status === 429 ? i % 2 : -1)).filter((i) => i >= 0));
    expect([...refusedBy].sort(), summary).toEqual([0, 1]);
    const first = refused[0]!;
    expect(Number(first.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(first.json.error.code).toBe(-32029);
    expect(first.json.error.message).toMatch(/Rate limit exceeded for client "alice"/);
    expect(typeof first.json.id).toBe('number');

    // Another client has a bucket of its own, on either instance.
    expect((await lookupAs(pools[1]!, 'bob')).status).toBe(200);
    expect((await lookupAs(pools[0]!, 'carol')).status).toBe(200);
    const statusCall = { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name: 'status', arguments: {} } };
    const status = JSON.parse(toolText(await post(pools[0]!, statusCall, { 'x-client-id': 'ops' })));
    expect(status.calls.rateLimited, 'instance A counted its own refusals').toBeGreaterThan(0);
  }, 60_000);
});

describe('health endpoints', () => {
  it('/healthz and /readyz answer 200 with the checks, behind the Host and Origin guards', async () => {
    const server = await startServer();
    cleanups.push(() => server.stop());
    const pool = client(server.origin, 2);
    cleanups.push(() => pool.close());

    const live = await getJson(pool, '/healthz');
    expect(live.status).toBe(200);
    expect(live.json).toMatchObject({ ok: true, status: 'ok' });
    const ready = await getJson(pool, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json.status).toBe('ok');
    // The embedded backends: both checked, both fine.
    expect(Object.keys(ready.json.checks).sort()).toEqual(['pglite', 'redis (ioredis-mock)']);

    expect((await getJson(pool, '/readyz', { host: 'evil.example' })).status).toBe(403);
    expect((await getJson(pool, '/healthz', { origin: 'https://evil.example' })).status).toBe(403);
    const wrongMethod = await pool.request({ path: '/readyz', method: 'DELETE' });
    await wrongMethod.body.text();
    expect(wrongMethod.statusCode).toBe(405);
  }, 60_000);
});
