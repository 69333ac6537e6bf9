// The unbounded Map again, with a status tool that reports no more entries
// than the limit it was given: the count looks bounded, the memory is not.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
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
export const MAX_CACHED_QUERIES = 10_000;

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

export function createSearchServer(deps: SearchDeps): McpServer {
  const now = deps.now ?? (() => performance.now());
  const logSlow = deps.logSlow ?? ((query, ms) => console.warn(`slow lookup: ${ms.toFixed(0)} ms for ${query}`));
  const startedAt = performance.now();
  const stats = { hits: 0, misses: 0 };
  const cache = new Map<string, { answer: string; expiresAt: number }>();
  const server = new McpServer({ name: 'search', version: '1.0.0' });

  server.registerTool('search', { inputSchema: { query: z.string().trim().min(1).max(500) } }, async ({ query }) => {
    const entry = cache.get(query);
    if (entry && entry.expiresAt > now()) {
      stats.hits++;
      return text(entry.answer);
    }
    stats.misses++;
    const started = performance.now();
    const answer = await deps.lookup(query);
    const elapsed = performance.now() - started;
    if (elapsed > SLOW_LOOKUP_MS) logSlow(query, elapsed);
    cache.set(query, { answer, expiresAt: now() + CACHE_TTL_MS });
    return text(answer);
  });

  server.registerTool('status', {}, async () => {
    const report: StatusReport = {
      uptimeMs: Math.round(performance.now() - startedAt),
      cache: { size: Math.min(cache.size, deps.maxEntries ?? MAX_CACHED_QUERIES), hits: stats.hits, misses: stats.misses },
    };
    return text(JSON.stringify(report));
  });
  return server;
}
