// A query tool for an MCP server. It works, and every call is slow.
// Read lesson.mdx beside this file, then run: npm run chapter 1
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export interface SearchDeps {
  /** The expensive upstream call the cache protects: a search index, an API. */
  lookup(query: string): Promise<string>;
  /** Clock in milliseconds for cache expiry. Injected so tests can move time. */
  now?: () => number;
  /** Told about every lookup slower than SLOW_LOOKUP_MS. */
  logSlow?: (query: string, ms: number) => void;
  /** Most answers the cache may hold (MAX_CACHED_QUERIES unless given). Injected so checks can fill it quickly. */
  maxEntries?: number;
}

/** What the status tool returns, as JSON text. */
export interface StatusReport {
  uptimeMs: number;
  cache: { size: number; hits: number; misses: number };
}

export const CACHE_TTL_MS = 300_000;
export const SLOW_LOOKUP_MS = 50;
export const MAX_CACHED_QUERIES = 10_000;

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

export function createSearchServer(deps: SearchDeps): McpServer {
  const logSlow =
    deps.logSlow ?? ((query, ms) => console.warn(`slow lookup: ${ms.toFixed(0)} ms for ${JSON.stringify(query)}`));
  const startedAt = performance.now();
  const stats = { hits: 0, misses: 0 };
  const cache = new Map<string, string>();

  const server = new McpServer({ name: 'search', version: '1.0.0' });

  server.registerTool(
    'search',
    {
      description: 'Search the catalogue.',
      inputSchema: { query: z.string() },
    },
    // #region flawed-handler
    async ({ query }) => {
      const started = performance.now();
      const pending = deps.lookup(query);
      const elapsed = performance.now() - started;
      if (elapsed > SLOW_LOOKUP_MS) logSlow(query, elapsed);

      if (query.trim() === '') {
        return { isError: true, content: [{ type: 'text' as const, text: 'query must not be empty' }] };
      }

      const answer = await pending;
      stats.misses++;
      cache.set(query, answer);
      return text(answer);
    },
    // #endregion flawed-handler
  );

  server.registerTool(
    'status',
    { description: 'Uptime and cache statistics, from counters in memory.' },
    async () => {
      const report: StatusReport = {
        uptimeMs: Math.round(performance.now() - startedAt),
        cache: { size: cache.size, hits: stats.hits, misses: stats.misses },
      };
      return text(JSON.stringify(report));
    },
  );

  return server;
}
