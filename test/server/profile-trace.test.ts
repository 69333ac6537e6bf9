// Chapter 9's profiler, wired into the reference server: every tool call is
// an outermost span with its stages nested inside (`cache get`, `db load` on
// a miss, `db <query>`), the `metrics` tool reports per-stage percentiles,
// and GET /debug/trace hands the recent spans over as a Chrome trace. And
// chapter 10's Prometheus series at GET /metrics.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Pool } from 'undici';
import { callToolPolitely, client, getJson, startServer, toolText, type ServerProcess } from './harness.ts';
import { sampleSum, seriesOf } from '../support/prometheus.ts';

let server: ServerProcess;
let pool: Pool;

beforeAll(async () => {
  server = await startServer();
  pool = client(server.origin, 2);
}, 60_000);

afterAll(async () => {
  await pool?.close();
  await server?.stop();
});

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  args?: { spanId?: number; parentId?: number | null; traceId?: number };
}

it('each call is a span with its stages nested inside, reported per stage and exported as a Chrome trace', async () => {
  // A cache miss (reaches the database), then a hit (does not), then a direct query.
  for (const id of [7, 7]) expect(JSON.parse(toolText(await callToolPolitely(pool, 'get_user', { id }))).id).toBe(7);
  expect(JSON.parse(toolText(await callToolPolitely(pool, 'get_users', { ids: [1, 2, 3] }))).map((u: { id: number }) => u.id)).toEqual([1, 2, 3]);

  const { status, json } = await getJson(pool, '/debug/trace');
  expect(status).toBe(200);
  const spans = (json.traceEvents as TraceEvent[]).filter((event) => event.ph === 'X');
  const byId = new Map(spans.map((span) => [span.args!.spanId!, span]));
  const named = (name: string) => spans.filter((span) => span.name === name);
  const parentOf = (span: TraceEvent) => byId.get(span.args!.parentId!);

  const userCalls = named('tool get_user');
  expect(userCalls).toHaveLength(2);
  for (const call of userCalls) expect(call.args!.parentId, 'a tool span is the outermost span of its call').toBeNull();
  // Each call's cache read nests inside that call, on the call's own track.
  const cacheReads = named('cache get');
  expect(cacheReads).toHaveLength(2);
  for (const read of cacheReads) {
    const call = parentOf(read)!;
    expect(call.name).toBe('tool get_user');
    expect(read.tid).toBe(call.tid);
    expect(read.ts).toBeGreaterThanOrEqual(call.ts);
    expect(read.ts + read.dur!).toBeLessThanOrEqual(call.ts + call.dur! + 1);
  }
  // Only the miss went to the database, inside the first call's cache read.
  const loads = named('db load');
  expect(loads).toHaveLength(1);
  expect(parentOf(loads[0]!)!.name).toBe('cache get');
  expect(loads[0]!.args!.traceId).toBe(userCalls.sort((a, b) => a.ts - b.ts)[0]!.args!.spanId);

  const [query] = named('db get_users');
  expect(parentOf(query!)!.name).toBe('tool get_users');

  const metrics = JSON.parse(toolText(await callToolPolitely(pool, 'metrics')));
  const stages = new Map((metrics.stages as Array<{ name: string; count: number; p99Ms: number }>).map((stage) => [stage.name, stage]));
  expect(stages.get('tool get_user')?.count).toBe(2);
  expect(stages.get('cache get')?.count).toBe(2);
  expect(stages.get('db load')?.count).toBe(1);
  expect(stages.get('db get_users')?.count).toBe(1);
  expect(stages.get('db get_users')!.p99Ms).toBeGreaterThan(0);
}, 60_000);

it('/debug/trace answers GET only, behind the same Origin guard as /mcp', async () => {
  expect((await getJson(pool, '/debug/trace', { origin: 'https://evil.example' })).status).toBe(403);
  const post = await pool.request({ path: '/debug/trace', method: 'POST', body: '{}' });
  await post.body.text();
  expect(post.statusCode).toBe(405);
});

it('MCP_PROFILE=off records no spans and the tools answer the same', async () => {
  const quiet = await startServer({ env: { MCP_PROFILE: 'off' } });
  const quietPool = client(quiet.origin, 1);
  try {
    expect(JSON.parse(toolText(await callToolPolitely(quietPool, 'get_users', { ids: [4] })))[0].id).toBe(4);
    const { json } = await getJson(quietPool, '/debug/trace');
    expect((json.traceEvents as TraceEvent[]).filter((event) => event.ph === 'X')).toEqual([]);
    expect(JSON.parse(toolText(await callToolPolitely(quietPool, 'metrics'))).stages).toEqual([]);
  } finally {
    await quietPool.close();
    await quiet.stop();
  }
}, 60_000);

async function scrape(path = '/metrics', headers: Record<string, string> = {}) {
  const response = await pool.request({ path, method: 'GET', headers });
  return { status: response.statusCode, type: String(response.headers['content-type']), text: await response.body.text() };
}

it('GET /metrics: chapter 10\'s Prometheus series count each call by tool and outcome, with few series', async () => {
  const before = (await scrape()).text;
  const calls = (tool: string, outcome = 'ok') => (text: string) => sampleSum(text, 'mcp_tool_calls_total', { tool, outcome });
  for (let i = 0; i < 3; i++) toolText(await callToolPolitely(pool, 'status'));
  // An update of a user that does not exist is an error result.
  const failed = await callToolPolitely(pool, 'update_user', { id: 2_000_000_000, username: 'nobody', email: 'nobody@example.com' });
  expect(failed.json?.result?.isError, failed.text).toBe(true);

  const after = await scrape();
  expect(after.status).toBe(200);
  expect(after.type).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(calls('status')(after.text) - calls('status')(before)).toBe(3);
  expect(sampleSum(after.text, 'mcp_tool_duration_seconds_count', { tool: 'status' }) - sampleSum(before, 'mcp_tool_duration_seconds_count', { tool: 'status' })).toBe(3);
  expect(calls('update_user', 'error')(after.text) - calls('update_user', 'error')(before)).toBe(1);
  // The process's own series come along (RSS, heap, event-loop lag, GC).
  expect(sampleSum(after.text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  // Labels are tool names and outcomes only: a bounded set of series.
  expect(seriesOf(after.text, 'mcp_').length).toBeLessThan(400);
}, 60_000);

it('/metrics answers GET only, behind the Origin guard', async () => {
  expect((await scrape('/metrics', { origin: 'https://evil.example' })).status).toBe(403);
  const post = await pool.request({ path: '/metrics', method: 'POST', body: '' });
  await post.body.text();
  expect(post.statusCode).toBe(405);
});
