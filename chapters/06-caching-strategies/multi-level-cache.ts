// A three-level read-through cache for an MCP server's data:
// L1 in this process (lru-cache), L2 shared by every instance (Redis),
// L3 the database. It answers correctly on a quiet afternoon.
// Read lesson.mdx beside this file, then run: npm run chapter 6
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { deleteByPattern, globToRegExp } from './invalidation.ts';
import { SingleFlight } from './single-flight.ts';

/** 'commands' for GET/SET/SCAN/UNLINK/PUBLISH; 'subscriber' for SUBSCRIBE, which takes a connection over. */
export type RedisRole = 'commands' | 'subscriber';

/** The database behind the cache. */
export interface ItemStore {
  /** One record, or undefined when there is none. */
  load(key: string): Promise<string | undefined>;
  /** The write path of the tools that change data (they write, then invalidate). */
  save(key: string, value: string): Promise<void>;
}

export interface CacheDeps {
  /** Opens a new Redis connection every time it is called. */
  connectRedis(role: RedisRole): Redis;
  db: ItemStore;
}

export interface CacheOptions {
  /** Entries kept in this process. */
  l1Max?: number;
  l1TtlMs?: number;
  l2TtlSeconds?: number;
  /** Pub/sub channel the instances share for invalidations. */
  channel?: string;
}

export interface CacheStats {
  l1Hits: number;
  l2Hits: number;
  dbLoads: number;
  /** Redis commands that failed and were absorbed (the read fell through to the next level). */
  redisErrors: number;
}

export interface MultiLevelCache {
  /** The value for `key` from the fastest level that has it; undefined if the database has none. */
  get(key: string): Promise<string | undefined>;
  /** Put a value in the cache. */
  set(key: string, value: string): Promise<void>;
  /** Drop a key from every level. */
  invalidate(key: string): Promise<void>;
  /** Drop every key matching a glob pattern (`search:*`); resolves to how many Redis held. */
  invalidatePattern(pattern: string): Promise<number>;
  stats(): CacheStats;
  close(): Promise<void>;
}

export const DEFAULT_OPTIONS = {
  l1Max: 10_000,
  l1TtlMs: 300_000,
  l2TtlSeconds: 3_600,
  channel: 'cache:invalidate',
} satisfies Required<CacheOptions>;

export async function createMultiLevelCache(deps: CacheDeps, options: CacheOptions = {}): Promise<MultiLevelCache> {
  const { l1Max, l1TtlMs, l2TtlSeconds } = { ...DEFAULT_OPTIONS, ...options };
  const stats: CacheStats = { l1Hits: 0, l2Hits: 0, dbLoads: 0, redisErrors: 0 };
  const l1 = new LRUCache<string, string>({ max: l1Max, ttl: l1TtlMs });
  const flights = new SingleFlight<string | undefined>();

  // #region read-through
  async function readThrough(key: string): Promise<string | undefined> {
    // Try L2 (Redis)
    const redis = deps.connectRedis('commands');
    const shared = await redis.get(key);
    if (shared != null) {
      stats.l2Hits++;
      l1.set(key, shared);
      return shared;
    }
    // Try L3 (the database), then promote to L2 and L1
    stats.dbLoads++;
    const value = await deps.db.load(key);
    if (value === undefined) return undefined;
    await deps.connectRedis('commands').set(key, value, 'EX', l2TtlSeconds);
    l1.set(key, value);
    return value;
  }
  // #endregion read-through

  return {
    // #region get
    async get(key) {
      // Try L1 first
      const local = l1.peek(key);
      if (local !== undefined) {
        stats.l1Hits++;
        return local;
      }
      return flights.run(key, () => readThrough(key));
    },
    // #endregion get

    // #region set
    async set(key, value) {
      // Set in all cache levels
      l1.set(key, value);
      await Promise.all([
        deps.connectRedis('commands').set(key, value, 'EX', l2TtlSeconds),
        deps.db.save(key, value),
      ]);
    },
    // #endregion set

    // #region invalidate
    async invalidate(key) {
      l1.delete(key);
      await deps.connectRedis('commands').unlink(key);
    },

    async invalidatePattern(pattern) {
      const deleted = await deleteByPattern(deps.connectRedis('commands'), pattern);
      const matches = globToRegExp(pattern);
      for (const key of [...l1.keys()]) if (matches.test(key)) l1.delete(key);
      return deleted;
    },
    // #endregion invalidate

    stats: () => ({ ...stats }),

    async close() {},
  };
}
