// The multiplexing transport keeps an entry per call in flight and nothing
// after: 100 000 calls through one long-lived McpServer leave the heap where
// 10 000 left it (the SDK's own long-lived JSON-mode session keeps ≈ 5.5 KB
// per request forever, upstream #2559). Bytes retained after GC, not time.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { MultiplexTransport, type Exchange } from '../../server/http/multiplex-transport.ts';
import { createLookup, lookupKey } from '../../server/tools/lookup.ts';

function heapAfterGc(): number {
  for (let i = 0; i < 4; i++) global.gc!();
  return process.memoryUsage().heapUsed;
}

it('100 000 calls through one McpServer: heap flat (< 1 MB more than after 10 000), nothing left in flight', async () => {
  const lookup = createLookup();
  const server = new McpServer({ name: 'memory', version: '1.0.0' });
  server.registerTool('lookup', { inputSchema: { key: z.string() } }, async ({ key }) => ({ content: [{ type: 'text', text: lookup.get(key) }] }));
  const transport = new MultiplexTransport();
  await server.connect(transport);
  transport.dispatchDirectlyTo(server.server);

  let answered = 0;
  const call = (n: number) =>
    new Promise<JSONRPCMessage>((resolve, reject) => {
      const exchange: Exchange = { clientId: 0, owner: '', reply: resolve, notify: () => {}, abandon: reject };
      const request = { jsonrpc: '2.0', id: n % 7, method: 'tools/call', params: { name: 'lookup', arguments: { key: lookupKey(n) } } } as JSONRPCRequest;
      transport.dispatch(request, exchange, {});
    }).then((reply) => {
      if ('result' in reply && reply.id === n % 7) answered++;
    });
  const run = async (from: number, to: number) => {
    for (let n = from; n < to; n += 64) await Promise.all(Array.from({ length: Math.min(64, to - n) }, (_, i) => call(n + i)));
  };

  await run(0, 10_000);
  const after10k = heapAfterGc();
  await run(10_000, 100_000);
  const after100k = heapAfterGc();

  expect(answered).toBe(100_000);
  expect(transport.inFlight).toBe(0);
  expect(after100k - after10k, `heap ${Math.round(after10k / 1024)} KB → ${Math.round(after100k / 1024)} KB`).toBeLessThan(1024 * 1024);
}, 60_000);
