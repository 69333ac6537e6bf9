// What every benchmark peer serves: one tool, `lookup`, over the same data and
// cache (server/tools/lookup.ts), listening on 127.0.0.1 port 0 and printing
// its URL so the benchmark finds it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export { createLookup } from '../../tools/lookup.ts';

export const TOOL_DESCRIPTION = 'An item from the in-memory catalogue, served from a bounded cache.';
export const lookupShape = { key: z.string().min(1).max(200) };
export const lookupSchema = z.object(lookupShape);

/** Listen on 127.0.0.1:0 and announce the URL on stdout. */
export function announce(server: Server, path = '/mcp'): void {
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    console.log(JSON.stringify({ url: `http://127.0.0.1:${port}${path}` }));
  });
}

export function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
