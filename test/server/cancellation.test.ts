// Cancellation through the multiplexing transport: a client's
// notifications/cancelled names its own request id, which the server must map
// back to the call it is running; a client that hangs up cancels its call.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Pool } from 'undici';
import { seededRandom } from '../support/random.ts';
import { callTool, client, heldToolCall, post, startServer, toolText, type ServerProcess } from './harness.ts';

let server: ServerProcess;
let pool: Pool;
const random = seededRandom(3);
// 12 slices of 50 documents (the tool checks for cancellation between slices).
const documents = Array.from({ length: 600 }, () => Array.from({ length: 3_000 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join(''));

beforeAll(async () => {
  server = await startServer({ env: { MCP_MAX_BODY_BYTES: String(4 * 1024 * 1024) } });
  pool = client(server.origin, 8);
}, 60_000);

afterAll(async () => {
  await pool?.close();
  await server?.stop();
});

const inFlight = async () => (JSON.parse(toolText(await callTool(pool, 'status'))).calls.inFlight as number) - 1;

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  // Bounded by time, not tries: each status call is slower on a busy machine.
  for (const deadline = performance.now() + 30_000; performance.now() < deadline; ) {
    if (await condition()) return;
    await sleep(20);
  }
  throw new Error(what);
}

// Both calls' bodies are held back and released together (heldToolCall), so
// both are in flight at once even on a busy machine.
const heldCall = (session: string) => heldToolCall(pool, 'sign_documents', { documents }, { id: 'job-1', headers: { 'mcp-session-id': session } });

it("notifications/cancelled with the client's id stops that call, not another client's call 1", async () => {
  // A cancel that lands just as the call finishes is too late to stop it, and
  // says nothing about the server: such a round runs again, at most 5 times.
  // A server that ignores cancels answers every round, and fails the last;
  // one that cancels the other client's call fails at once.
  const ROUNDS = 5;
  for (let round = 1; ; round++) {
    const mine = heldCall('client-a');
    const theirs = heldCall('client-b');
    // A status round trip: the server, idle, has read what was sent so far.
    await inFlight();
    mine.release();
    theirs.release();
    await until(async () => (await inFlight()) === 2, 'both calls in flight');
    const cancel = await post(
      pool,
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'job-1', reason: 'user pressed stop' } },
      { 'mcp-session-id': 'client-a' },
    );
    expect(cancel.status).toBe(202);
    const [cancelled, finished] = await Promise.all([mine.answer, theirs.answer]);
    if (cancelled.json?.result !== undefined && finished.json?.result !== undefined && round < ROUNDS) continue;
    expect(cancelled.json).toMatchObject({ id: 'job-1', error: { code: -32800, message: expect.stringContaining('user pressed stop') } });
    expect(JSON.parse(toolText(finished)).documents).toBe(600);
    expect(finished.json.id).toBe('job-1');
    return;
  }
}, 60_000);

it('a client that hangs up cancels its call, and nothing stays in flight', async () => {
  const abort = new AbortController();
  const hungUp = pool
    .request({
      path: '/mcp',
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'sign_documents', arguments: { documents } } }),
    })
    .catch((error: Error) => error);
  await until(async () => (await inFlight()) === 1, 'the call in flight');
  abort.abort();
  expect(await hungUp).toBeInstanceOf(Error);
  await until(async () => (await inFlight()) === 0, 'the call cancelled after the client hung up');
  const metrics = JSON.parse(toolText(await callTool(pool, 'metrics'))).tools.sign_documents;
  // The cancelled run stopped at a slice boundary and was recorded as failed, not completed.
  expect(metrics.errors).toBeGreaterThanOrEqual(1);
}, 60_000);
