// Chapter 6 checks. The cache under test gets its Redis connections from a
// counting factory and its database from a counting store, so every verdict
// is a count: connections opened, commands sent, database reads, reads in
// flight at once. Embedded (ioredis-mock) by default, real Redis with REDIS_URL.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect } from 'vitest';
import { defineChecks } from '../../workbook/check.ts';
import { itemStore, type ItemStoreOptions } from '../support/item-store.ts';
import { redisHarness, type RedisHarness } from '../support/redis.ts';
import { zipfSequence } from '../support/zipf.ts';

type CacheModule = typeof import('../../solutions/06-caching-strategies/multi-level-cache.ts');
type WarmModule = typeof import('../../solutions/06-caching-strategies/warm.ts');
type Cache = Awaited<ReturnType<CacheModule['createMultiLevelCache']>>;
type CacheOptions = NonNullable<Parameters<CacheModule['createMultiLevelCache']>[1]>;

const { check, subject } = defineChecks(6);
const { createMultiLevelCache } = await subject<CacheModule>('multi-level-cache.ts');
const { warmCache } = await subject<WarmModule>('warm.ts');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** Redis (its own key prefix and channel), a counted database, and a way to open cache instances on them. */
async function setup({ ownServer = false, ...storeOptions }: ItemStoreOptions & { ownServer?: boolean } = {}) {
  const redis = await redisHarness({ ownServer });
  cleanups.push(() => redis.cleanup());
  const db = await itemStore(storeOptions);
  const key = (name: string) => `${redis.prefix}${name}`;
  const open = async (options: CacheOptions = {}): Promise<Cache> => {
    const cache = await createMultiLevelCache(
      { connectRedis: redis.connect, db: db.store },
      { channel: `${redis.prefix}invalidate`, ...options },
    );
    cleanups.push(() => cache.close());
    return cache;
  };
  return { redis, db, key, open };
}

const gets = (redis: RedisHarness) => (redis.commands.get('get') ?? 0) + (redis.commands.get('mget') ?? 0);

/** Poll `read` until it returns `want` or the deadline passes; returns the last value read. */
async function eventually<T>(read: () => Promise<T>, want: T, timeoutMs = 1_500): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last = await read();
  while (last !== want && performance.now() < deadline) {
    await sleep(10);
    last = await read();
  }
  return last;
}

check('reads-fill-upwards', async () => {
  const { redis, db, key, open } = await setup();
  const doc = key('doc:1');
  await db.put([[doc, 'one']]);
  const a = await open();

  expect(await a.get(doc), 'a value only the database has').toBe('one');
  expect(db.loads, 'the first read goes to the database once').toEqual([doc]);
  expect(await redis.inspect.get(doc), 'a value read from the database should be written to Redis (L2)').toBe('one');
  const ttl = await redis.inspect.ttl(doc);
  expect(ttl, 'the Redis copy needs an expiry (SET … EX), or it outlives every change').toBeGreaterThan(0);

  const redisReads = gets(redis);
  expect(await a.get(doc)).toBe('one');
  expect(db.loads.length, 'a repeat read must not reach the database').toBe(1);
  expect(gets(redis), 'a repeat read on the same instance should be answered by L1, without Redis').toBe(redisReads);

  const b = await open();
  expect(await b.get(doc), 'a second instance').toBe('one');
  expect(db.loads.length, 'a second instance should find the value in Redis, not in the database').toBe(1);
  const afterL2Hit = gets(redis);
  expect(await b.get(doc)).toBe('one');
  expect(gets(redis), 'a value found in Redis should be copied into L1').toBe(afterL2Hit);

  expect(await a.get(key('absent')), 'a key the database does not have').toBeUndefined();
});

check('one-redis-connection', async () => {
  const { redis, db, key, open } = await setup();
  await db.put(Array.from({ length: 20 }, (_, i) => [key(`doc:${i}`), `value ${i}`] as const));
  const cache = await open();
  for (let i = 0; i < 20; i++) await cache.get(key(`doc:${i}`));
  await Promise.all(Array.from({ length: 20 }, (_, i) => cache.get(key(`doc:${i}`))));
  await cache.set(key('doc:new'), 'new');
  await cache.invalidate(key('doc:3'));
  await cache.invalidatePattern(key('doc:1*'));
  await cache.get(key('doc:3'));
  expect(
    redis.connections.commands,
    `${redis.connections.commands} command connections were opened for ~45 operations: open one and share it`,
  ).toBeLessThanOrEqual(1);
  expect(redis.connections.subscriber, 'at most one subscriber connection per instance').toBeLessThanOrEqual(1);
});

check('l1-refreshes-recency', async () => {
  const { redis, db, key, open } = await setup();
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => key(name)) as [string, string, string, string];
  await db.put([a, b, c, d].map((k) => [k, `value of ${k}`] as const));
  const cache = await open({ l1Max: 3 });
  for (const k of [a, b, c]) await cache.get(k);
  await cache.get(a); // a is now the most recently used
  await cache.get(d); // L1 is full: the least recently used (b) must go

  const before = gets(redis);
  expect(await cache.get(a)).toBe(`value of ${a}`);
  expect(
    gets(redis) - before,
    'a was read just before d arrived, so it should still be in L1; reading L1 must mark an entry as recently used',
  ).toBe(0);
  await cache.get(b);
  expect(gets(redis) - before, 'b was the least recently used entry: with l1Max 3 it should have been evicted').toBe(1);
});

check('set-skips-database', async () => {
  const { db, key, open } = await setup();
  const doc = key('doc:1');
  const a = await open();
  await a.set(doc, 'cached value');
  expect(db.saves, 'cache.set must not write the database: that is the write path’s job').toEqual([]);
  expect(await a.get(doc)).toBe('cached value');
  const b = await open();
  expect(await b.get(doc), 'set should reach Redis, so other instances see it').toBe('cached value');
  expect(db.loads, 'both reads should come from the cache').toEqual([]);
});

check('single-flight', async () => {
  const { db, key, open } = await setup({ readDelayMs: 20 });
  const hot = key('hot');
  await db.put([[hot, 'hot value'], ...Array.from({ length: 5 }, (_, i) => [key(`k${i}`), `v${i}`] as const)]);
  const cache = await open();

  const answers = await Promise.all(Array.from({ length: 100 }, () => cache.get(hot)));
  expect(new Set(answers), 'every caller gets the value').toEqual(new Set(['hot value']));
  expect(db.loads.length, '100 concurrent misses on one key should cause exactly 1 database query').toBe(1);

  await Promise.all(Array.from({ length: 100 }, (_, i) => cache.get(key(`k${i % 5}`))));
  expect(db.loads.length - 1, '100 concurrent misses spread over 5 keys: one query per key').toBe(5);

  const flaky = key('flaky');
  await db.put([[flaky, 'flaky value']]);
  db.failingKeys.add(flaky);
  const failed = await Promise.allSettled(Array.from({ length: 10 }, () => cache.get(flaky)));
  expect(failed.every((r) => r.status === 'rejected'), 'when the database read fails, every waiting caller sees the error').toBe(true);
  expect(db.loads.filter((k) => k === flaky).length, 'the failing read is shared too').toBe(1);
  db.failingKeys.delete(flaky);
  expect(await cache.get(flaky), 'a failed load must be forgotten: the next read tries again').toBe('flaky value');
});

check('warms-hot-keys', async () => {
  const { db, key, open } = await setup({ readDelayMs: 1 });
  const KEYS = 400;
  const names = Array.from({ length: KEYS }, (_, rank) => key(`item:${rank}`));
  await db.put(names.map((k) => [k, `value of ${k}`] as const));
  const broken = key('item:broken');
  db.failingKeys.add(broken);
  const hottest = [...names.slice(0, 100), key('item:gone'), broken];
  const cache = await open();

  await warmCache(cache, hottest, { concurrency: 8 });
  const peak = db.peakInFlight;
  expect(peak, `${peak} database reads ran at once while warming; concurrency 8 allows at most 8`).toBeLessThanOrEqual(8);
  expect(peak, 'warming should run several loads at once, not one key after another').toBeGreaterThanOrEqual(2);
  for (const k of names.slice(0, 100)) expect(db.loads.filter((l) => l === k).length, `${k} loaded once`).toBe(1);

  const loadsAfterWarm = db.loads.length;
  for (const k of names.slice(0, 100)) await cache.get(k);
  expect(db.loads.length - loadsAfterWarm, 'after warming, the hottest keys are served from the cache').toBe(0);

  const reads = zipfSequence(KEYS, 2_000, { seed: 61 });
  for (const rank of reads) await cache.get(names[rank]!);
  const hitRate = 1 - (db.loads.length - loadsAfterWarm) / reads.length;
  expect(hitRate, `hit rate over 2000 Zipf-distributed reads after warming: ${(hitRate * 100).toFixed(1)} %`).toBeGreaterThanOrEqual(0.88);
}, { timeout: 7_000 });

check('invalidates-with-scan', async () => {
  const { redis, db, key, open } = await setup();
  const search = Array.from({ length: 300 }, (_, i) => key(`search:${i}`));
  const users = Array.from({ length: 5 }, (_, i) => key(`user:${i}`));
  const cache = await open();
  for (const k of [...search, ...users]) await cache.set(k, 'cached');
  // The database has moved on; only what is invalidated should show it.
  await db.put([...search, ...users].map((k) => [k, 'fresh'] as const));

  await cache.invalidatePattern(key('search:*'));

  expect(redis.commands.get('keys') ?? 0, 'KEYS walks the whole keyspace in one command and blocks Redis: use SCAN').toBe(0);
  const left = async (pattern: string) => {
    const found: string[] = [];
    for await (const batch of redis.inspect.scanStream({ match: pattern, count: 500 }) as AsyncIterable<string[]>) found.push(...batch);
    return new Set(found).size;
  };
  expect(await left(key('search:*')), 'search:* keys left in Redis').toBe(0);
  expect(await left(key('user:*')), 'keys outside the pattern must stay in Redis').toBe(5);
  expect(await cache.get(search[7]!), 'an invalidated key must be gone from L1 too').toBe('fresh');
  expect(await cache.get(users[2]!), 'a key outside the pattern is still cached').toBe('cached');
});

check('peers-hear-invalidations', async () => {
  const { db, key, open } = await setup();
  const doc = key('doc:1');
  const searches = [1, 2, 3].map((i) => key(`search:${i}`));
  await db.put([[doc, 'v1'], ...searches.map((k) => [k, 's1'] as const)]);
  const a = await open();
  const b = await open();
  for (const k of [doc, ...searches]) {
    await a.get(k);
    await b.get(k);
  }

  await db.put([[doc, 'v2'], ...searches.map((k) => [k, 's2'] as const)]);
  await a.invalidate(doc);
  expect(
    await eventually(() => b.get(doc), 'v2'),
    'instance A invalidated doc:1; instance B still answers from its L1 a second and a half later',
  ).toBe('v2');

  await a.invalidatePattern(key('search:*'));
  const seen = await eventually(async () => (await Promise.all(searches.map((k) => b.get(k)))).join(), 's2,s2,s2');
  expect(seen, 'a pattern invalidation on A must reach B’s L1 too').toBe('s2,s2,s2');
});

check('survives-redis-outage', async () => {
  const { redis, db, key, open } = await setup({ ownServer: true });
  const names = Array.from({ length: 40 }, (_, i) => key(`doc:${i}`));
  await db.put(names.map((k, i) => [k, `value ${i}`] as const));
  const cache = await open();
  for (const k of names.slice(0, 3)) await cache.get(k);

  await redis.down();
  const during = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('it was still waiting 2 s after Redis went away')), 2_000);
    });
    try {
      return await Promise.race([op(), timeout]);
    } catch (error) {
      expect.fail(`with Redis down, ${what} failed: “${(error as Error).message}”. Count Redis errors and carry on with L1 and the database.`);
    } finally {
      clearTimeout(timer);
    }
  };
  expect(await during('an L1 hit', () => cache.get(names[0]!))).toBe('value 0');
  expect(await during('a read of a key not in L1', () => cache.get(names[5]!)), 'served by the database').toBe('value 5');
  expect(await during('a read of a missing key', () => cache.get(key('absent')))).toBeUndefined();
  await during('set', () => cache.set(names[6]!, 'set while down'));
  await during('invalidate', () => cache.invalidate(names[1]!));
  expect(cache.stats().redisErrors, 'Redis errors should be counted in stats().redisErrors').toBeGreaterThan(0);

  await redis.up();
  // Once Redis is back, a read that reaches the database fills Redis again.
  const deadline = performance.now() + 3_000;
  let refilled = false;
  for (let i = 10; i < names.length && !refilled && performance.now() < deadline; i++) {
    expect(await cache.get(names[i]!)).toBe(`value ${i}`);
    refilled = (await redis.inspect.exists(names[i]!)) === 1;
    if (!refilled) await sleep(100);
  }
  expect(refilled, 'Redis came back, but reads no longer reach it: the cache should reconnect').toBe(true);
}, { timeout: 8_000 });
