// Chapter 4 scorecard: memory, read after forced collections, as differences
// between two readings; buffer reuse counted by identity; leak alarms counted
// on synthetic series. Nothing here is graded on a single wall-clock reading.
import { defineBench } from '../workbook/measure.ts';
import { memorySeries, replay } from '../test/support/memory-series.ts';
import { MiB } from '../test/support/memory.ts';
import { requestRecord, responseSizes, toolResult, uniqueText, type ToolResult } from '../test/support/payloads.ts';
import { seededRandom } from '../test/support/random.ts';

type CacheModule = typeof import('../solutions/04-memory-management/bounded-cache.ts');
type PoolModule = typeof import('../solutions/04-memory-management/buffer-pool.ts');
type LogModule = typeof import('../solutions/04-memory-management/request-log.ts');
type MonitorModule = typeof import('../solutions/04-memory-management/memory-monitor.ts');

const CACHE_INSERTS = 100_000;
const CACHE_BOUND = 10 * MiB;
const POOL_REQUESTS = 20_000;
const IN_FLIGHT = 8;
const RECORDS = 200_000;
const OPERATIONS = 1_000;
const SAMPLE_EVERY_MS = 15_000;

export default defineBench(4, async ({ subject, retainedBytes, report, progress }) => {
  const { createResponseCache } = await subject<CacheModule>('bounded-cache.ts');
  const { BufferPool } = await subject<PoolModule>('buffer-pool.ts');
  const { RequestLog } = await subject<LogModule>('request-log.ts');
  const { createMemoryMonitor } = await subject<MonitorModule>('memory-monitor.ts');

  progress(`cache: ${CACHE_INSERTS} inserts against a 10 MB bound`);
  let kept = 0;
  const cacheBytes = await retainedBytes(() => {
    const cache = createResponseCache<ToolResult>({ maxEntries: 30_000, maxBytes: CACHE_BOUND, ttlMs: 300_000 });
    for (let i = 0; i < CACHE_INSERTS; i++) cache.set(`query ${i}`, toolResult(uniqueText(600, i)));
    kept = cache.size;
    return cache;
  });
  report({
    id: 'cache-retained-100k',
    value: cacheBytes / MiB,
    detail: `${kept} of ${CACHE_INSERTS} results of ~750 bytes kept; maxBytes 10 MB`,
  });

  progress('buffer pool: a realistic mix of response sizes');
  {
    const pool = new BufferPool();
    const seen = new WeakMap<ArrayBufferLike, Set<number>>();
    let reused = 0;
    const inFlight: Buffer[] = [];
    for (const size of responseSizes(POOL_REQUESTS)) {
      const buffer = pool.acquire(size);
      // Reused when the same bytes (same ArrayBuffer, same offset) were handed out before.
      const offsets = seen.get(buffer.buffer) ?? new Set<number>();
      if (offsets.has(buffer.byteOffset)) reused++;
      offsets.add(buffer.byteOffset);
      seen.set(buffer.buffer, offsets);
      inFlight.push(buffer);
      if (inFlight.length === IN_FLIGHT) pool.release(inFlight.shift()!);
    }
    report({
      id: 'pool-reuse-ratio',
      value: reused / POOL_REQUESTS,
      detail: `${reused} of ${POOL_REQUESTS} requests (100 B–256 KiB, ${IN_FLIGHT} in flight) got a reused buffer`,
    });
  }

  progress(`request log: ${RECORDS} records`);
  const logBytes = await retainedBytes(() => {
    const log = new RequestLog();
    for (let i = 0; i < RECORDS; i++) log.push(requestRecord(i));
    return log;
  });
  report({
    id: 'bytes-per-record',
    value: logBytes / RECORDS,
    detail: `${(logBytes / MiB).toFixed(1)} MB for ${RECORDS} records (an object per record is ~100 B)`,
  });

  progress(`${OPERATIONS} tool calls`);
  const random = seededRandom(3);
  const sizes = Array.from({ length: OPERATIONS }, () => 80_000 + Math.floor(random() * 40_000));
  const growth = await retainedBytes(() => {
    // A server's long-lived state: its cache, its pool and its log.
    const cache = createResponseCache<ToolResult>({ maxEntries: 1_000, maxBytes: 16 * MiB, ttlMs: 300_000 });
    const pool = new BufferPool();
    const log = new RequestLog();
    for (let i = 0; i < OPERATIONS; i++) {
      const key = `document ${i}`;
      let result = cache.get(key);
      if (!result) {
        result = toolResult(uniqueText(sizes[i]!, i));
        cache.set(key, result);
      }
      const text = result.content[0]!.text;
      const encoded = pool.acquire(text.length);
      try {
        encoded.write(text, 'latin1');
      } finally {
        pool.release(encoded);
      }
      log.push({ at: Date.now(), tool: 'fetch_document', status: 200, durationMs: 1, responseBytes: text.length });
    }
    return { cache, pool, log };
  });
  report({
    id: 'growth-after-1000-ops',
    value: growth / MiB,
    detail: `${OPERATIONS} calls, each caching an 80–120 KB result and encoding it in a pooled buffer`,
  });

  progress('memory monitor: a healthy day and a slow leak');
  {
    const day = memorySeries({ minutes: 24 * 60, intervalMs: SAMPLE_EVERY_MS });
    const feed = replay(day);
    const monitor = createMemoryMonitor({ sample: feed.sample });
    let alarms = 0;
    for (let i = 0; i < day.length; i++) if (monitor.check().leakSuspected) alarms++;
    report({ id: 'false-alarms-per-day', value: alarms, detail: `${day.length} samples of a steady heap with a GC sawtooth` });

    const HOURS = 4;
    const leak = memorySeries({ minutes: HOURS * 60, intervalMs: SAMPLE_EVERY_MS, leakBytesPerMinute: 2 * MiB, sawtooth: false });
    const leakFeed = replay(leak);
    const watcher = createMemoryMonitor({ sample: leakFeed.sample });
    let flaggedAt = -1;
    for (let i = 0; i < leak.length && flaggedAt < 0; i++) if (watcher.check().leakSuspected) flaggedAt = i;
    const minutes = flaggedAt < 0 ? HOURS * 60 : (flaggedAt * SAMPLE_EVERY_MS) / 60_000;
    report({
      id: 'leak-detected-after',
      value: minutes,
      detail: flaggedAt < 0 ? `not flagged in ${HOURS} h` : `flagged ${minutes} min into a smooth 2 MB/min leak`,
    });
  }

  const peak = (process.resourceUsage().maxRSS * 1024) / MiB;
  report({ id: 'peak-rss', value: peak, detail: 'the whole bench, every structure above included' });
});
