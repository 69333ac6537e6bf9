// Chapter 6 scorecard: a cold-start stampede, warming followed by a Zipf key
// mix over two instances sharing Redis, connections opened, and the latency of
// an L1 hit against a full miss. Everything graded is counted by the
// instrumented Redis factory and database, except the latencies, which are
// percentiles of many samples and their ratio from the same run.
import { defineBench } from '../workbook/measure.ts';
import { itemStore } from '../test/support/item-store.ts';
import { redisHarness } from '../test/support/redis.ts';
import { zipfSequence } from '../test/support/zipf.ts';

type CacheModule = typeof import('../solutions/06-caching-strategies/multi-level-cache.ts');
type WarmModule = typeof import('../solutions/06-caching-strategies/warm.ts');
type Cache = Awaited<ReturnType<CacheModule['createMultiLevelCache']>>;

/** A database read's network and query time: a realistic round trip on a LAN. */
const DB_READ_MS = 2;
const KEYS = 600;
const HOTTEST = 150;
const ZIPF_READS = 5_000;
const READERS = 8;
const STAMPEDE_KEYS = 10;
const STAMPEDE_CALLERS = 100;
const MISS_SAMPLES = 100;

/** Hits per level summed over instances, from the cache's own stats(). */
function levelTotals(...caches: Cache[]) {
  return caches
    .map((cache) => cache.stats())
    .reduce((sum, s) => ({ l1Hits: sum.l1Hits + s.l1Hits, l2Hits: sum.l2Hits + s.l2Hits }), { l1Hits: 0, l2Hits: 0 });
}

export default defineBench(6, async ({ subject, latency, report, progress }) => {
  const { createMultiLevelCache } = await subject<CacheModule>('multi-level-cache.ts');
  const { warmCache } = await subject<WarmModule>('warm.ts');
  const redis = await redisHarness();
  const pods: Cache[] = [];
  try {
    const db = await itemStore({ readDelayMs: DB_READ_MS });
    const key = (name: string) => `${redis.prefix}${name}`;
    const items = Array.from({ length: KEYS }, (_, rank) => key(`item:${rank}`));
    const stampede = Array.from({ length: STAMPEDE_KEYS }, (_, i) => key(`stampede:${i}`));
    const cold = Array.from({ length: MISS_SAMPLES * 2 }, (_, i) => key(`cold:${i}`));
    await db.put([...items, ...stampede, ...cold].map((k) => [k, `value of ${k}`] as const));
    const openPod = async () => {
      const pod = await createMultiLevelCache(
        { connectRedis: redis.connect, db: db.store },
        { channel: `${redis.prefix}invalidate`, l1Max: 300 },
      );
      pods.push(pod);
      return pod;
    };

    progress('a stampede on cold keys');
    const first = await openPod();
    let loads = db.loads.length;
    await Promise.all(stampede.flatMap((k) => Array.from({ length: STAMPEDE_CALLERS }, () => first.get(k))));
    const stampedeQueries = db.loads.length - loads;
    report({
      id: 'stampede-db-queries',
      value: stampedeQueries,
      detail: `${STAMPEDE_KEYS} cold keys × ${STAMPEDE_CALLERS} concurrent reads → ${stampedeQueries} database queries`,
    });

    progress('warming, then a Zipf key mix on two instances');
    const [podA, podB] = [await openPod(), await openPod()];
    const warmStarted = performance.now();
    await warmCache(podA, items.slice(0, HOTTEST), { concurrency: 16 });
    const warmMs = performance.now() - warmStarted;
    loads = db.loads.length;
    const levelsBefore = levelTotals(podA, podB);
    const reads = zipfSequence(KEYS, ZIPF_READS, { seed: 6 });
    let next = 0;
    const reader = async () => {
      while (next < reads.length) {
        const i = next++;
        await (i % 2 === 0 ? podA : podB).get(items[reads[i]!]!);
      }
    };
    await Promise.all(Array.from({ length: READERS }, reader));
    const zipfQueries = db.loads.length - loads;
    const levelsAfter = levelTotals(podA, podB);
    const percent = (n: number) => `${((n / ZIPF_READS) * 100).toFixed(1)} %`;
    report({
      id: 'hit-rate-after-warm',
      value: 1 - zipfQueries / ZIPF_READS,
      detail:
        `${ZIPF_READS} reads over ${KEYS} keys, top ${HOTTEST} warmed in ${warmMs.toFixed(0)} ms; ` +
        `L1 ${percent(levelsAfter.l1Hits - levelsBefore.l1Hits)}, Redis ${percent(levelsAfter.l2Hits - levelsBefore.l2Hits)}, ` +
        `database ${percent(zipfQueries)} (levels from stats())`,
    });
    report({
      id: 'db-queries-per-1000-reads',
      value: (zipfQueries / ZIPF_READS) * 1000,
      detail: `${zipfQueries} queries for ${ZIPF_READS} reads by ${READERS} concurrent readers`,
    });

    progress('L1 hits and full misses');
    const hot = items[0]!;
    await podA.get(hot);
    const hits = await latency('l1 hit', () => podA.get(hot), { iterations: 2_000, warmupIterations: 100, maxTimeMs: 800 });
    report({ id: 'l1-hit-latency', summary: hits, detail: `${hits.n} reads of the hottest key` });
    let fresh = 0;
    const misses = await latency('miss', () => podA.get(cold[fresh++]!), { iterations: MISS_SAMPLES, maxTimeMs: 2_000 });
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

    const opened = redis.connections.commands + redis.connections.subscriber;
    report({
      id: 'redis-connections-per-instance',
      value: opened / pods.length,
      detail: `${redis.connections.commands} command + ${redis.connections.subscriber} subscriber connections for ${pods.length} instances (${redis.target})`,
    });
  } finally {
    for (const pod of pods) await pod.close().catch(() => {});
    await redis.cleanup();
  }
});
