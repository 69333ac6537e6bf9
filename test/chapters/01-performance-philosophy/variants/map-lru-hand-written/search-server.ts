// No cache library: a Map kept in least-recently-used order (a hit moves its
// key to the end), an expiry time per entry read from deps.now, and the
// oldest key dropped whenever the Map grows past its limit.
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
export const MAX_CACHED_QUERIES = 5_000;

class ExpiringLru {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert: a Map iterates in insertion order, so the end is "most recent".
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: string): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.max) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}

const reply = (text: string) => ({ content: [{ type: 'text' as const, text }] });

export function createSearchServer(deps: SearchDeps): McpServer {
  const cache = new ExpiringLru(deps.maxEntries ?? MAX_CACHED_QUERIES, CACHE_TTL_MS, deps.now ?? (() => performance.now()));
  const logSlow = deps.logSlow ?? ((query: string, ms: number) => console.warn(`slow lookup (${Math.round(ms)} ms): ${query}`));
  const startedAt = Date.now();
  let hits = 0;
  let misses = 0;

  const server = new McpServer({ name: 'search', version: '2.0.0' });
  server.registerTool('search', { inputSchema: { query: z.string().trim().min(1) } }, async ({ query }) => {
    const hit = cache.get(query);
    if (hit !== undefined) {
      hits++;
      return reply(hit);
    }
    misses++;
    const t0 = performance.now();
    const answer = await deps.lookup(query);
    const took = performance.now() - t0;
    if (took > SLOW_LOOKUP_MS) logSlow(query, took);
    cache.set(query, answer);
    return reply(answer);
  });
  server.registerTool('status', {}, () =>
    reply(JSON.stringify({ uptimeMs: Date.now() - startedAt, cache: { size: cache.size, hits, misses } } satisfies StatusReport)),
  );
  return server;
}
