// Chapter 6 scorecard, the timed part: the latency of an L1 hit and of a full
// miss, percentiles of many samples, and their ratio from the same run. The
// counts (database queries in a stampede, connections per instance, warming's
// reads in flight, hit rate) are reported by the checks whose scenarios
// produce them.
import { defineMeasurements } from '../../workbook/authoring/define-measurements.ts';
import { itemStore } from '../../test/chapters/06-caching-strategies/item-store.ts';
import { randomToken, runRandom } from '../../test/support/random.ts';
import { redisHarness } from '../../workbook/backends/redis.ts';

type CacheModule = typeof import('../../solutions/06-caching-strategies/multi-level-cache.ts');
type Cache = Awaited<ReturnType<CacheModule['createMultiLevelCache']>>;

/** A database read's network and query time: a realistic round trip on a LAN. */
const DB_READ_MS = 2;
const MISS_SAMPLES = 100;

export default defineMeasurements(6, async ({ subject, latency, report, progress }) => {
  const { createMultiLevelCache } = await subject<CacheModule>('multi-level-cache.ts');
  const redis = await redisHarness();
  let cache: Cache | undefined;
  try {
    const db = await itemStore({ readDelayMs: DB_READ_MS });
    const random = runRandom(60);
    const key = (name: string) => `${redis.prefix}${name}:${randomToken(random, 6)}`;
    const hot = key('hot');
    const cold = Array.from({ length: MISS_SAMPLES * 2 }, (_, i) => key(`cold:${i}`));
    await db.put([hot, ...cold].map((k) => [k, `value of ${k}`] as const));
    cache = await createMultiLevelCache({ connectRedis: redis.connect, db: db.store }, { channel: `${redis.prefix}invalidate` });

    progress('L1 hits and full misses');
    const pod = cache;
    await pod.get(hot);
    const hits = await latency('l1 hit', () => pod.get(hot), { iterations: 2_000, warmupIterations: 100, maxTimeMs: 800 });
    report({ id: 'l1-hit-latency', summary: hits, detail: `${hits.n} reads of one hot key` });
    let fresh = 0;
    const misses = await latency('miss', () => pod.get(cold[fresh++]!), { iterations: MISS_SAMPLES, maxTimeMs: 2_000 });
    report({
      id: 'miss-latency',
      summary: misses,
      detail: `${misses.n} first reads: Redis GET, database (${DB_READ_MS} ms + query), Redis SET`,
    });
    report({
      id: 'l1-vs-miss',
      value: hits.p50 / misses.p50,
      detail: `median ${(hits.p50 * 1000).toFixed(1)} µs vs ${misses.p50.toFixed(2)} ms (${(misses.p50 / hits.p50).toFixed(0)}× faster)`,
    });
  } finally {
    await cache?.close().catch(() => {});
    await redis.cleanup();
  }
});
