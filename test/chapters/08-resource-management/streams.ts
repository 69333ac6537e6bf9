// A database cursor that pages through a large table, and a client that reads
// slowly: what the streaming-export checks and measurements run the learner's
// exportRows between. Both count what matters: pages pulled (and after the
// client left), whether the cursor was closed, bytes waiting in the stream's
// buffer, and live memory sampled after forced collections.
import { Writable } from 'node:stream';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../../support/random.ts';
import type { Row } from '../../../solutions/08-resource-management/stream-export.ts';

export const MiB = 1024 * 1024;

/** Rows of rowCursor's default size that make about `bytes` of NDJSON (rows are ~1 KB of JSON). */
export function rowsFor(bytes: number): number {
  const sample = rowCursor({ totalRows: 1 });
  const perRow = Buffer.byteLength(JSON.stringify(sample.row(0))) + 1;
  return Math.ceil(bytes / perRow);
}

export interface CursorStats {
  pagesPulled: number;
  rowsPulled: number;
  /** Pages pulled after markClientGone(). */
  pagesAfterMark: number;
  /** The cursor's finally ran: return() was called, or it ran to the end. */
  closed: boolean;
}

/**
 * Rows of about `rowBytes` of JSON each, `pageRows` to a page, `totalRows` in
 * all; each page arrives after an event-loop turn, as from a database. Bodies
 * are seeded-random text, so no output can be precomputed.
 */
export function rowCursor({
  totalRows,
  pageRows = 64,
  rowBytes = 1_000,
  seed = 8,
  turnEveryPages = 1,
}: {
  totalRows: number;
  pageRows?: number;
  rowBytes?: number;
  seed?: number;
  /** Pages fetched per event-loop turn (a database's round trip); in between, pages come from memory. */
  turnEveryPages?: number;
}) {
  const random = seededRandom(seed);
  // A few hundred distinct bodies, mixed per row: cheap to make, never the same page twice.
  const bodies = Array.from({ length: 257 }, () => {
    let text = '';
    while (text.length < rowBytes - 80) text += `${Math.floor(random() * 1e9).toString(36)} `;
    return text;
  });
  const stats: CursorStats = { pagesPulled: 0, rowsPulled: 0, pagesAfterMark: 0, closed: false };
  let marked = false;
  const row = (id: number): Row => ({
    id,
    title: `row ${id}`,
    body: bodies[(id * 31 + Math.floor(id / 7)) % bodies.length]!,
    updatedAt: new Date(1_700_000_000_000 + id * 1_000).toISOString(),
  });
  async function* pages(): AsyncGenerator<Row[]> {
    try {
      for (let first = 0, n = 0; first < totalRows; first += pageRows, n++) {
        if (n % turnEveryPages === 0) await nextTurn();
        else await undefined;
        const page: Row[] = [];
        for (let id = first; id < Math.min(totalRows, first + pageRows); id++) page.push(row(id));
        stats.pagesPulled++;
        stats.rowsPulled += page.length;
        if (marked) stats.pagesAfterMark++;
        yield page;
      }
    } finally {
      stats.closed = true;
    }
  }
  return {
    pages: pages(),
    stats,
    row,
    markClientGone() {
      marked = true;
    },
  };
}

export interface ReaderOptions {
  /** The stream's own buffer size; write() returns false past it. */
  highWaterMark?: number;
  /** How fast the client reads. */
  bytesPerMs?: number;
  /** Force a collection and read live memory every this many bytes consumed (0: never). */
  sampleEveryBytes?: number;
  /** Destroy the stream (the client hangs up) once this many bytes arrived. */
  hangUpAfterBytes?: number;
  onHangUp?: () => void;
  /** Keep what arrives (for small exports whose content is checked). */
  keep?: boolean;
}

/**
 * A Writable that consumes slowly, like a client on a slow link. It records
 * the most bytes ever waiting in its buffer (writableLength after each write
 * or end) and, when sampling, the most live memory (heap + external, after a
 * forced GC) above what was live when it was made.
 */
export class SlowReader extends Writable {
  consumed = 0;
  peakBuffered = 0;
  peakLiveGrowth = 0;
  samples = 0;
  readonly chunks: Buffer[] = [];
  readonly #options: Required<Omit<ReaderOptions, 'onHangUp' | 'hangUpAfterBytes'>> & Pick<ReaderOptions, 'onHangUp' | 'hangUpAfterBytes'>;
  readonly #baseline: number;
  #nextSample: number;
  #budget = 0;

  constructor(options: ReaderOptions = {}) {
    const { highWaterMark = 64 * 1024, bytesPerMs = 256 * 1024, sampleEveryBytes = 0, keep = false } = options;
    super({ highWaterMark });
    this.#options = { highWaterMark, bytesPerMs, sampleEveryBytes, keep, ...options };
    this.#nextSample = sampleEveryBytes;
    this.#baseline = sampleEveryBytes > 0 ? liveAfterCollection() : 0;
  }

  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const result = super.write(chunk, encoding as BufferEncoding, callback as (error?: Error | null) => void);
    this.peakBuffered = Math.max(this.peakBuffered, this.writableLength);
    return result;
  }

  override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
    super.end(chunk as Buffer, encoding as BufferEncoding, callback as () => void);
    this.peakBuffered = Math.max(this.peakBuffered, this.writableLength);
    return this;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.consumed += chunk.length;
    if (this.#options.keep) this.chunks.push(chunk);
    if (this.#options.sampleEveryBytes > 0 && this.consumed >= this.#nextSample) {
      this.#nextSample = this.consumed + this.#options.sampleEveryBytes;
      this.samples++;
      this.peakLiveGrowth = Math.max(this.peakLiveGrowth, liveAfterCollection() - this.#baseline);
    }
    if (this.#options.hangUpAfterBytes !== undefined && this.consumed >= this.#options.hangUpAfterBytes) {
      this.#options.onHangUp?.();
      this.destroy();
      return;
    }
    // Read at bytesPerMs: a 1 ms pause each time a millisecond's worth has arrived.
    this.#budget += chunk.length;
    if (this.#budget >= this.#options.bytesPerMs) {
      this.#budget = 0;
      setTimeout(() => done(), 1);
    } else {
      setImmediate(() => done());
    }
  }
}

/** One full collection (the checks and measurements run with --expose-gc), then heap + external. */
function liveAfterCollection(): number {
  if (typeof globalThis.gc !== 'function') throw new Error('sampling live memory needs node --expose-gc');
  globalThis.gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** Settle `promise` within `ms`, or say it did not. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<{ settled: boolean; error?: unknown }> {
  const outcome = promise.then(
    () => ({ settled: true }),
    (error: unknown) => ({ settled: true, error }),
  );
  const timeout = new AbortController();
  const result = await Promise.race([outcome, sleep(ms, { settled: false }, { signal: timeout.signal }).catch(() => ({ settled: false }))]);
  timeout.abort();
  return result;
}
