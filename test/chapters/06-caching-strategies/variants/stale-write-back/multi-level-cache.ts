// A three-level read-through cache for an MCP server's data:
// L1 in this process (lru-cache), L2 shared by every instance (Redis),
// L3 the database, the source of truth. Reads fill the levels above the one
// that answered; Redis trouble costs hit rate, never an answer.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { deleteByPattern, globToRegExp, publishInvalidation, subscribeToInvalidations } from './invalidation.ts';
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
  /** Put a value in L1 and L2 (the database is written by the caller, never by the cache). */
  set(key: string, value: string): Promise<void>;
  /** Drop a key from every level here and from every other instance's L1. */
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
  const { l1Max, l1TtlMs, l2TtlSeconds, channel } = { ...DEFAULT_OPTIONS, ...options };
  const instanceId = randomUUID();
  const stats: CacheStats = { l1Hits: 0, l2Hits: 0, dbLoads: 0, redisErrors: 0 };
  const l1 = new LRUCache<string, string>({ max: l1Max, ttl: l1TtlMs });
  const flights = new SingleFlight<string | undefined>();
  // Bumped by every invalidation: a load that started before one must not
  // put what it read (possibly the old value) back into the cache.
  let generation = 0;

  // #region one-connection
  // One connection for commands, opened once and shared by every call; ioredis
  // pipelines concurrent commands over it and reconnects it after an outage.
  const redis = deps.connectRedis('commands');
  // #endregion one-connection

  // #region absorb-errors
  /** Run a Redis command; on failure count it and carry on without Redis. */
  async function safely<T>(command: () => Promise<T>): Promise<T | undefined> {
    try {
      return await command();
    } catch {
      stats.redisErrors++;
      return undefined;
    }
  }
  // #endregion absorb-errors

  function dropFromL1(message: { key?: string; pattern?: string }): void {
    generation++;
    if (message.key !== undefined) l1.delete(message.key);
    if (message.pattern !== undefined) {
      const matches = globToRegExp(message.pattern);
      for (const key of [...l1.keys()]) if (matches.test(key)) l1.delete(key);
    }
  }

  // #region subscribe
  const subscriber = deps.connectRedis('subscriber');
  let subscribedBefore = false;
  subscriber.on('ready', () => {
    // After a reconnect we may have missed invalidations: start L1 afresh.
    if (subscribedBefore) l1.clear();
    subscribedBefore = true;
  });
  await safely(() =>
    subscribeToInvalidations(subscriber, channel, (message) => {
      if (message.from !== instanceId) dropFromL1(message);
    }),
  );
  // #endregion subscribe

  // #region read-through
  async function readThrough(key: string): Promise<string | undefined> {
    const shared = await safely(() => redis.get(key));
    if (shared != null) {
      stats.l2Hits++;
      l1.set(key, shared);
      return shared;
    }
    stats.dbLoads++;
    const value = await deps.db.load(key);
    // Whatever the database said is cached, even if an invalidation came meanwhile.
    if (value === undefined) return value;
    l1.set(key, value);
    await safely(() => redis.set(key, value, 'EX', l2TtlSeconds));
    return value;
  }
  // #endregion read-through

  async function announce(message: { key?: string; pattern?: string }): Promise<void> {
    await safely(() => publishInvalidation(redis, channel, { from: instanceId, ...message }));
  }

  return {
    // #region get
    async get(key) {
      // get (not peek) marks the entry as just used, so hot keys stay in L1.
      const local = l1.get(key);
      if (local !== undefined) {
        stats.l1Hits++;
        return local;
      }
      return flights.run(key, () => readThrough(key));
    },
    // #endregion get

    // #region set
    async set(key, value) {
      generation++;
      l1.set(key, value);
      await safely(() => redis.set(key, value, 'EX', l2TtlSeconds));
      await announce({ key });
    },
    // #endregion set

    // #region invalidate
    async invalidate(key) {
      // Shared level first, so no instance refills its L1 from a stale L2.
      await safely(() => redis.unlink(key));
      dropFromL1({ key });
      await announce({ key });
    },

    async invalidatePattern(pattern) {
      const deleted = (await safely(() => deleteByPattern(redis, pattern))) ?? 0;
      dropFromL1({ pattern });
      await announce({ pattern });
      return deleted;
    },
    // #endregion invalidate

    stats: () => ({ ...stats }),

    async close() {
      subscriber.disconnect();
      redis.disconnect();
    },
  };
}
