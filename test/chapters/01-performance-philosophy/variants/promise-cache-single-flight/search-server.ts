// Caches the promise, not the answer: concurrent requests for the same query
// share one lookup (single flight), a failed lookup is forgotten at once, and
// lru-cache bounds the number of entries and their age.
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
export const MAX_CACHED_QUERIES = 10_000;

export function createSearchServer(deps: SearchDeps): McpServer {
  const now = deps.now ?? (() => performance.now());
  const answers = new LRUCache<string, Promise<string>>({
    max: deps.maxEntries ?? MAX_CACHED_QUERIES,
    ttl: CACHE_TTL_MS,
    ttlResolution: 0,
    perf: { now },
  });
  const counts = { hits: 0, misses: 0 };
  const born = performance.now();

  const timedLookup = async (query: string): Promise<string> => {
    const start = performance.now();
    try {
      return await deps.lookup(query);
    } finally {
      const ms = performance.now() - start;
      if (ms > SLOW_LOOKUP_MS) (deps.logSlow ?? ((q: string, t: number) => console.warn('slow lookup', q, t)))(query, ms);
    }
  };

  const server = new McpServer({ name: 'search', version: '1.0.0' });
  server.registerTool(
    'search',
    { inputSchema: { query: z.string().trim().min(1).max(500) } },
    async ({ query }) => {
      let pending = answers.get(query);
      if (pending) counts.hits++;
      else {
        counts.misses++;
        pending = timedLookup(query);
        answers.set(query, pending);
        // Do not cache a failure: the next request tries again.
        pending.catch(() => answers.delete(query));
      }
      return { content: [{ type: 'text' as const, text: await pending }] };
    },
  );
  server.registerTool('status', {}, async () => {
    const report: StatusReport = {
      uptimeMs: Math.round(performance.now() - born),
      cache: { size: answers.size, ...counts },
    };
    return { content: [{ type: 'text' as const, text: JSON.stringify(report) }] };
  });
  return server;
}
