// The cache as its own small class over lru-cache (TTL purged by a timer that
// does not hold the process open), timing on process.hrtime.bigint(), and the
// schema written with a refinement instead of trim().min(1).
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

class AnswerCache {
  hits = 0;
  misses = 0;
  readonly #lru: LRUCache<string, string>;

  constructor(max: number, now: () => number) {
    this.#lru = new LRUCache({ max, ttl: CACHE_TTL_MS, ttlAutopurge: true, ttlResolution: 0, perf: { now } });
  }

  get size(): number {
    return this.#lru.size;
  }

  read(query: string): string | undefined {
    const answer = this.#lru.get(query);
    if (answer === undefined) this.misses++;
    else this.hits++;
    return answer;
  }

  write(query: string, answer: string): void {
    this.#lru.set(query, answer);
  }
}

const elapsedMs = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

export function createSearchServer(deps: SearchDeps): McpServer {
  const cache = new AnswerCache(deps.maxEntries ?? MAX_CACHED_QUERIES, deps.now ?? (() => performance.now()));
  const started = process.hrtime.bigint();
  const server = new McpServer({ name: 'search', version: '1.0.0' });

  server.registerTool(
    'search',
    {
      inputSchema: {
        query: z
          .string()
          .max(500)
          .refine((q) => q.trim() !== '', 'query must not be blank'),
      },
    },
    async ({ query }) => {
      const cached = cache.read(query);
      if (cached !== undefined) return { content: [{ type: 'text' as const, text: cached }] };
      const since = process.hrtime.bigint();
      const answer = await deps.lookup(query);
      const ms = elapsedMs(since);
      if (ms > SLOW_LOOKUP_MS) deps.logSlow?.(query, ms);
      cache.write(query, answer);
      return { content: [{ type: 'text' as const, text: answer }] };
    },
  );

  server.registerTool('status', {}, async () => {
    const report: StatusReport = { uptimeMs: Math.round(elapsedMs(started)), cache: { size: cache.size, hits: cache.hits, misses: cache.misses } };
    return { content: [{ type: 'text' as const, text: JSON.stringify(report) }] };
  });
  return server;
}
