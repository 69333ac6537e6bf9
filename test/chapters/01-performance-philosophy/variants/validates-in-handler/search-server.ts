// Validation by hand at the top of the handler instead of in the schema, and
// a plain object per cache entry in lru-cache with its own expiry check.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';

export interface SearchDeps {
  lookup(query: string): Promise<string>;
  now?: () => number;
  logSlow?: (query: string, ms: number) => void;
  maxEntries?: number;
}

export interface StatusReport {
  uptimeMs: number;
  cache: { size: number; hits: number; misses: number };
}

export const CACHE_TTL_MS = 300_000;
export const SLOW_LOOKUP_MS = 50;
export const MAX_CACHED_QUERIES = 2_000;

type ToolResult = { content: Array<{ type: 'text'; text: string }>; isError?: boolean };
const ok = (text: string): ToolResult => ({ content: [{ type: 'text', text }] });
const refuse = (text: string): ToolResult => ({ content: [{ type: 'text', text }], isError: true });

export function createSearchServer(deps: SearchDeps): McpServer {
  const clock = deps.now ?? Date.now;
  const entries = new LRUCache<string, { answer: string; storedAt: number }>({ max: deps.maxEntries ?? MAX_CACHED_QUERIES });
  let hits = 0;
  let misses = 0;
  const upSince = performance.now();

  const server = new McpServer({ name: 'search', version: '1.0.0' });
  server.registerTool('search', { inputSchema: { query: z.string() } }, async ({ query }) => {
    // First thing, before anything costs money.
    if (query.trim().length === 0) return refuse('query must not be blank');
    if (query.length > 500) return refuse('query is too long');

    const entry = entries.get(query);
    if (entry && clock() - entry.storedAt < CACHE_TTL_MS) {
      hits++;
      return ok(entry.answer);
    }
    misses++;
    const began = performance.now();
    const answer = await deps.lookup(query);
    const ms = performance.now() - began;
    if (ms > SLOW_LOOKUP_MS) deps.logSlow?.(query, ms);
    entries.set(query, { answer, storedAt: clock() });
    return ok(answer);
  });
  server.registerTool('status', {}, async () =>
    ok(JSON.stringify({ uptimeMs: Math.round(performance.now() - upSince), cache: { size: entries.size, hits, misses } } satisfies StatusReport)),
  );
  return server;
}
