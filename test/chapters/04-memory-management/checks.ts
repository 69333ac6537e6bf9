import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { defineChecks } from '../../../workbook/authoring/define-checks.ts';
import { collectGarbage } from '../../../workbook/authoring/memory.ts';
import { memorySeries, replay } from './memory-series.ts';
import { MiB, liveBytes, mb, settle, weigh } from './memory.ts';
import { requestRecord, toolResult, uniqueText, type ToolResult } from './payloads.ts';
import { randomInt, randomToken, runRandom, runSeed, shuffled } from '../../support/random.ts';

type SizeModule = typeof import('../../../solutions/04-memory-management/byte-size.ts');
type CacheModule = typeof import('../../../solutions/04-memory-management/bounded-cache.ts');
type PoolModule = typeof import('../../../solutions/04-memory-management/buffer-pool.ts');
type LogModule = typeof import('../../../solutions/04-memory-management/request-log.ts');
type MonitorModule = typeof import('../../../solutions/04-memory-management/memory-monitor.ts');

const { check, subject } = defineChecks(4);
const { estimateBytes } = await subject<SizeModule>('byte-size.ts');
const { createResponseCache } = await subject<CacheModule>('bounded-cache.ts');
const { BufferPool, SIZE_CLASSES } = await subject<PoolModule>('buffer-pool.ts');
const { RequestLog } = await subject<LogModule>('request-log.ts');
const { createMemoryMonitor } = await subject<MonitorModule>('memory-monitor.ts');

/** Sizes, keys and series drawn for this run, so no code can be fitted to them. */
const random = runRandom(4);
const seed = `(seed ${runSeed}; WORKBOOK_SEED=${runSeed} replays it)`;

// ── byte-size.ts ────────────────────────────────────────────────────────────

check('measures-real-bytes', () => {
  const chars = randomInt(random, 50_000, 150_000);
  const text = uniqueText(chars, randomInt(random, 0, 1_000));
  const bufferBytes = randomInt(random, 20_000, 200_000);
  const strings = randomInt(random, 500, 1_500);
  const cases: Array<[string, unknown, number]> = [
    [`a ${chars}-character string`, text, chars],
    ['a tool result carrying that string', toolResult(text), chars],
    [`a ${bufferBytes}-byte Buffer`, Buffer.alloc(bufferBytes), bufferBytes],
    [`an array of ${strings} strings of 100 characters`, Array.from({ length: strings }, (_, i) => uniqueText(100, i)), strings * 100],
  ];
  for (const [what, value, bytes] of cases) {
    const estimate = estimateBytes(value);
    expect(estimate, `${what} holds at least ${bytes} bytes`).toBeGreaterThanOrEqual(bytes);
    // Over-counting wastes the budget: at most 2 bytes a character plus headers.
    expect(estimate, `${what}: ${estimate} is far more than it holds`).toBeLessThanOrEqual(bytes * 2.5);
  }
});

// ── bounded-cache.ts ────────────────────────────────────────────────────────

check('cache-serves-hits', () => {
  const cache = createResponseCache<ToolResult>({ maxEntries: 100, maxBytes: 10 * MiB, ttlMs: 60_000 });
  const [key, other] = [randomToken(random), randomToken(random)];
  const answer = toolResult(`results for ${key}`);
  cache.set(key, answer);
  expect(cache.get(key)).toEqual(answer);
  expect(cache.get(other), 'a key never set is a miss').toBeUndefined();
  cache.set(key, toolResult('newer'));
  expect(cache.get(key), 'set replaces the value').toEqual(toolResult('newer'));
  expect(cache.size).toBe(1);
});

check('cache-caps-entries', () => {
  const max = randomInt(random, 3, 6);
  const cache = createResponseCache<ToolResult>({ maxEntries: max, maxBytes: 10 * MiB, ttlMs: 60_000 });
  const keys = Array.from({ length: max }, () => randomToken(random));
  for (const key of keys) cache.set(key, toolResult(key));
  // Read all but one, in random order: the one left unread is now the least recently used.
  const unread = keys[randomInt(random, 0, max - 1)]!;
  for (const key of shuffled(random, keys)) if (key !== unread) cache.get(key);
  const newest = randomToken(random);
  cache.set(newest, toolResult(newest));
  expect(cache.size, `maxEntries is ${max}`).toBeLessThanOrEqual(max);
  expect(cache.get(unread), 'the least recently used entry goes first').toBeUndefined();
  for (const key of [...keys.filter((k) => k !== unread), newest]) {
    expect(cache.get(key), `${key} was used more recently than ${unread} ${seed}`).toEqual(toolResult(key));
  }
  for (let i = 0; i < 1_000; i++) cache.set(`key ${i}`, toolResult('x'));
  expect(cache.size, 'after 1 000 more inserts').toBeLessThanOrEqual(max);
});

const INSERTS = 100_000;
const BYTE_BOUND = 10 * MiB;
/**
 * maxBytes counts what keys and values hold; the cache's own bookkeeping
 * (entry slots, expiry timers) comes on top, so the bound allows 2×.
 */
const BOOKKEEPING = 2;

check('cache-bounds-bytes', async ({ report }) => {
  const prefix = randomToken(random, 4);
  const offset = randomInt(random, 0, 10_000);
  let kept = 0;
  const { bytes } = await weigh(() => {
    // maxEntries does not bind here: 10 MB holds ~14 000 results of ~750 bytes,
    // and 100 000 of them are ~75 MB.
    const cache = createResponseCache<ToolResult>({
      maxEntries: 30_000,
      maxBytes: BYTE_BOUND,
      ttlMs: 300_000,
    });
    for (let i = 0; i < INSERTS; i++) cache.set(`${prefix} ${i}`, toolResult(uniqueText(600, offset + i)));
    kept = cache.size;
    return cache;
  });
  report({
    id: 'cache-retained-100k',
    value: bytes / MiB,
    detail: `${kept} of ${INSERTS} results of ~750 bytes kept; maxBytes 10 MB`,
  });
  expect(
    bytes,
    `after ${INSERTS} inserts of ~750-byte results the cache holds ${mb(bytes)}; maxBytes is ${mb(BYTE_BOUND)}`,
  ).toBeLessThanOrEqual(BYTE_BOUND * BOOKKEEPING);
}, { timeout: 15_000 });

check('cache-releases-expired', async () => {
  const TTL_MS = 500;
  const COUNT = 4_000;
  await settle();
  const baseline = liveBytes();
  const cache = createResponseCache<ToolResult>({ maxEntries: 10_000, maxBytes: 64 * MiB, ttlMs: TTL_MS });
  const prefix = randomToken(random, 4);
  for (let i = 0; i < COUNT; i++) cache.set(`${prefix} ${i}`, toolResult(uniqueText(2_500, i)));
  const allExpiredAt = performance.now() + TTL_MS;
  // ~10 MB of fresh results, well within budget (half, in case this machine
  // stalled long enough for the first ones to expire already).
  expect(cache.size, `${COUNT} fresh results fit in 64 MB`).toBeGreaterThan(COUNT / 2);
  // Nobody reads or writes now; the entries expire. Their memory should
  // come back on its own, well within 3 s of a 500 ms TTL.
  const deadline = performance.now() + 3_000;
  let held = Number.POSITIVE_INFINITY;
  while (performance.now() < deadline) {
    await sleep(100);
    collectGarbage();
    held = Math.max(0, liveBytes() - baseline);
    // Judge only once every entry is past its TTL: low memory earlier says nothing about expiry.
    if (held < 2 * MiB && performance.now() > allExpiredAt) break;
  }
  expect(held, `expired entries still hold ${mb(held)} 3 s after a ${TTL_MS} ms TTL, with no reads`).toBeLessThan(2 * MiB);
  expect(cache.get(`${prefix} 0`), 'an expired entry is a miss').toBeUndefined();
}, { timeout: 10_000 });

// ── buffer-pool.ts ──────────────────────────────────────────────────────────

/** Where a buffer's bytes live: two buffers with the same key share memory. */
const memoryOf = (buffer: Buffer) => `${buffer.byteOffset}@${arrayBufferId(buffer.buffer)}`;
const arrayBufferIds = new WeakMap<ArrayBufferLike, number>();
let nextArrayBufferId = 0;
function arrayBufferId(arrayBuffer: ArrayBufferLike): number {
  let id = arrayBufferIds.get(arrayBuffer);
  if (id === undefined) arrayBufferIds.set(arrayBuffer, (id = nextArrayBufferId++));
  return id;
}

/** True when any two buffers share a byte. */
function overlapping(buffers: Buffer[]): boolean {
  const byArrayBuffer = new Map<ArrayBufferLike, Buffer[]>();
  for (const b of buffers) byArrayBuffer.set(b.buffer, [...(byArrayBuffer.get(b.buffer) ?? []), b]);
  for (const group of byArrayBuffer.values()) {
    group.sort((x, y) => x.byteOffset - y.byteOffset);
    for (let i = 1; i < group.length; i++) {
      if (group[i]!.byteOffset < group[i - 1]!.byteOffset + group[i - 1]!.byteLength) return true;
    }
  }
  return false;
}

check('pool-serves-sizes', () => {
  const pool = new BufferPool();
  for (const size of [1, 100, 1_024, 1_025, 4_096, 10_000, 65_536, 200_000, 262_144, 300_000, 1_000_000]) {
    const buffer = pool.acquire(size);
    expect(Buffer.isBuffer(buffer), `acquire(${size}) returns a Buffer`).toBe(true);
    expect(buffer.byteLength, `acquire(${size})`).toBeGreaterThanOrEqual(size);
    buffer.fill(1, 0, size);
    pool.release(buffer);
  }
  expect(SIZE_CLASSES).toEqual([1_024, 4_096, 16_384, 65_536, 262_144]);
});

check('pool-reuses-by-class', () => {
  const pool = new BufferPool();
  for (const [first, second] of [
    [1_500, 1_400],
    [3_000, 4_000],
    [20_000, 60_000],
    [100_000, 250_000],
  ] as const) {
    const a = pool.acquire(first);
    const where = memoryOf(a);
    pool.release(a);
    const b = pool.acquire(second);
    expect(memoryOf(b), `a released ${first}-byte buffer should serve a later request for ${second} bytes (same size class)`).toBe(where);
    pool.release(b);
  }
});

check('pool-free-lists-bounded', async () => {
  const MAX_FREE = 4;
  const PER_CLASS = 50;
  const bound = MAX_FREE * SIZE_CLASSES.reduce((sum, size) => sum + size, 0);
  const { bytes } = await weigh(() => {
    const pool = new BufferPool({ maxFreePerClass: MAX_FREE });
    // A burst: 50 requests of every class in flight at once, then all done.
    const burst = SIZE_CLASSES.flatMap((size) => Array.from({ length: PER_CLASS }, () => pool.acquire(size)));
    for (const buffer of burst) pool.release(buffer);
    return pool;
  });
  expect(
    bytes,
    `after a burst of ${PER_CLASS} buffers per class the pool keeps ${mb(bytes)}; maxFreePerClass ${MAX_FREE} allows ${mb(bound)}`,
  ).toBeLessThanOrEqual(bound + 1 * MiB);

  // Handlers that crash never release: the pool must not be what keeps their buffers alive.
  const forgotten = randomInt(random, 30, 60);
  const { bytes: pinned } = await weigh(() => {
    const pool = new BufferPool({ maxFreePerClass: MAX_FREE });
    for (let i = 0; i < forgotten; i++) pool.acquire(SIZE_CLASSES[SIZE_CLASSES.length - 1]!);
    return pool;
  });
  expect(
    pinned,
    `${forgotten} buffers of 256 KiB were acquired and never released, and the pool still holds ${mb(pinned)} of them: remember lent buffers weakly (WeakSet)`,
  ).toBeLessThan(2 * MiB);
}, { timeout: 15_000 });

check('pool-no-double-handout', () => {
  const pool = new BufferPool();
  // A handler that releases in its catch and again in its finally.
  for (const size of [1_024, 16_384, 262_144]) {
    const buffer = pool.acquire(size);
    pool.release(buffer);
    try {
      pool.release(buffer);
    } catch {
      // Refusing a second release loudly is fine too.
    }
    const first = pool.acquire(size);
    const second = pool.acquire(size);
    expect(overlapping([first, second]), `two requests for ${size} bytes were handed the same memory`).toBe(false);
  }
  // Many in use at once: no two may share a byte.
  const inUse = Array.from({ length: 60 }, (_, i) => pool.acquire([600, 1_024, 3_000, 16_000][i % 4]!));
  expect(overlapping(inUse), 'buffers in use at the same time must never share memory').toBe(false);
});

// ── request-log.ts ──────────────────────────────────────────────────────────

check('log-roundtrip', () => {
  const log = new RequestLog();
  const count = randomInt(random, 120_000, 180_000);
  const first = randomInt(random, 0, 1_000_000);
  for (let i = 0; i < count; i++) log.push(requestRecord(first + i));
  expect(log.length, `${count} records pushed ${seed}`).toBe(count);
  const boundaries = [0, 1, 2, 1_023, 1_024, 1_025, 4_097, 65_535, 65_536, count - 2, count - 1];
  const anywhere = Array.from({ length: 20 }, () => randomInt(random, 0, count - 1));
  for (const i of [...boundaries, ...anywhere]) {
    expect(log.at(i), `record ${i} of ${count} ${seed}`).toEqual(requestRecord(first + i));
  }
  expect(log.at(count), 'past the end').toBeUndefined();
  expect(log.at(-1), 'before the start').toBeUndefined();
});

// ── memory-monitor.ts ───────────────────────────────────────────────────────

function run(series: ReturnType<typeof memorySeries>) {
  const feed = replay(series);
  const monitor = createMemoryMonitor({ sample: feed.sample });
  return series.map(() => monitor.check());
}

/** A heap level for each series: a fixed one would let a threshold on the level pass for a trend. */
const someFloor = (lowMiB = 60, highMiB = 400) => randomInt(random, lowMiB, highMiB) * MiB;
const SAMPLE_EVERY_MS = 15_000;

check('monitor-reports-usage', () => {
  const report = createMemoryMonitor().check();
  expect(report.rss, 'rss of this process').toBeGreaterThan(10 * MiB);
  expect(report.heapUsed, 'heapUsed of this process').toBeGreaterThan(MiB);
  const at = Date.now();
  const limit = randomInt(random, 200, 800) * MiB;
  const reading = (rss: number) => () => ({ at, rss, heapUsed: 100 * MiB, external: 10 * MiB });
  expect(createMemoryMonitor({ sample: reading(600 * MiB) }).check().overLimit, '600 MB RSS is over the 512 MB default').toBe(true);
  expect(createMemoryMonitor({ sample: reading(300 * MiB) }).check().overLimit, '300 MB RSS is within it').toBe(false);
  expect(createMemoryMonitor({ sample: reading(limit + MiB), limitBytes: limit }).check().overLimit, `just over a limit of ${mb(limit)}`).toBe(true);
  expect(createMemoryMonitor({ sample: reading(limit - MiB), limitBytes: limit }).check().overLimit, `just under a limit of ${mb(limit)}`).toBe(false);
});

check('monitor-flags-leak', ({ report }) => {
  const HOURS = 4;
  const leaks = [
    { name: 'a smooth 2 MB/min leak', rate: 2 * MiB, sawtooth: false, minutes: HOURS * 60 },
    { name: 'a 3 MB/min leak under a GC sawtooth', rate: 3 * MiB, sawtooth: true, minutes: 60 },
  ];
  for (const leak of leaks) {
    const base = someFloor();
    const series = memorySeries({ minutes: leak.minutes, leakBytesPerMinute: leak.rate, sawtooth: leak.sawtooth, seed: randomInt(random, 1, 1e9), baseBytes: base });
    const reports = run(series);
    if (!leak.sawtooth) {
      const flaggedAt = reports.findIndex((r) => r.leakSuspected);
      const minutes = flaggedAt < 0 ? leak.minutes : (flaggedAt * SAMPLE_EVERY_MS) / 60_000;
      report({
        id: 'leak-detected-after',
        value: minutes,
        detail: flaggedAt < 0 ? `not flagged in ${HOURS} h` : `flagged ${minutes} min into a smooth 2 MB/min leak from ${mb(base)}`,
      });
    }
    // From minute 40 on (160 samples at 15 s), every report must say so.
    const late = reports.slice(160);
    const missed = late.filter((r) => !r.leakSuspected).length;
    expect(missed, `${leak.name} from ${mb(base)}: ${missed} of the ${late.length} reports after minute 40 did not flag it ${seed}`).toBe(0);
    const growth = reports.at(-1)!.growthBytesPerMinute;
    expect(growth, `${leak.name}: reported growth ${mb(growth)}/min`).toBeGreaterThan(leak.rate / 2);
    expect(growth, `${leak.name}: reported growth ${mb(growth)}/min`).toBeLessThan(leak.rate * 2);
  }
});

check('monitor-quiet-on-sawtooth', ({ report }) => {
  // A healthy day, one sample every 15 s, the heap climbing and collected all day,
  // on a server whose steady heap is a few hundred MB (as most are).
  const base = someFloor(150, 400);
  const day = memorySeries({ minutes: 24 * 60, seed: randomInt(random, 1, 1e9), baseBytes: base });
  const reports = run(day);
  const alarms = reports.filter((r) => r.leakSuspected);
  report({ id: 'false-alarms-per-day', value: alarms.length, detail: `${day.length} samples of a steady ${mb(base)} heap with a GC sawtooth` });
  expect(
    alarms.length,
    `a steady heap of ${mb(base)} with a GC sawtooth (24 h) raised ${alarms.length} leak alarms, first at minute ${
      alarms[0] ? Math.round((alarms[0].at - reports[0]!.at) / 60_000) : '-'
    } ${seed}`,
  ).toBe(0);
});
