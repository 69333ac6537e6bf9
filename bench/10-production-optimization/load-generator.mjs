// The overload's clients, in a process of their own so their work does not
// share the server's event loop: CLIENTS concurrent MCP clients calling one
// tool back to back; a refused client waits as long as Retry-After asks (with
// jitter) and tries again. Bounded by a count of answered calls and by time.
// Plain JavaScript, so it starts in a blink. Prints one JSON line of counts.
//
// node load-generator.mjs <url> <clients> <admittedTarget> <budgetMs> <toolArgsJson> <seed> <label>
// (label: sent as the x-load header, so the server's side can time these requests)
import { Agent, request } from 'undici';

const [url, clientsArg, targetArg, budgetArg, argsJson, seedArg, label = 'overload'] = process.argv.slice(2);
const clients = Number(clientsArg);
const target = Number(targetArg);
const toolArgs = JSON.parse(argsJson);

let state = Number(seedArg) >>> 0;
const random = () => {
  // mulberry32, as test/support/random.ts
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const agent = new Agent({ connections: clients + 2, keepAliveTimeout: 10_000 });
let nextId = 1;
const post = async (body, headers) => {
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
};

/** initialize + initialized; the session id too if the server hands one out. */
async function open(i) {
  const headers = { 'x-client-id': `load-${i}` };
  const init = await post(
    { jsonrpc: '2.0', id: nextId++, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'load', version: '1' } } },
    headers,
  );
  const session = init.headers['mcp-session-id'];
  const sessionHeaders = { ...headers, 'mcp-protocol-version': '2025-06-18', ...(typeof session === 'string' ? { 'mcp-session-id': session } : {}) };
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionHeaders);
  return { ...sessionHeaders, 'x-load': label };
}

const counts = { answered: 0, refused: 0, failed: 0, other: 0 };
const sessions = await Promise.all(Array.from({ length: clients }, (_, i) => open(i)));
// The budget is for the calls: on a starved machine, starting this process and
// opening 20 sessions took most of it, and a round ended with too few calls to grade.
const deadline = performance.now() + Number(budgetArg);
process.stdout.write('STARTED\n');
await Promise.all(
  sessions.map(async (headers) => {
    while (counts.answered < target && performance.now() < deadline) {
      try {
        const answer = await post({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: toolArgs }, headers);
        if (answer.status === 200) counts.answered++;
        else if (answer.status === 503) {
          counts.refused++;
          const retryAfterMs = 1_000 * Number(answer.headers['retry-after'] ?? 1);
          await new Promise((resolve) => setTimeout(resolve, retryAfterMs * (0.5 + random())));
        } else counts.other++;
      } catch {
        counts.failed++;
      }
    }
  }),
);
process.stdout.write(`${JSON.stringify(counts)}\n`);
await agent.close();
