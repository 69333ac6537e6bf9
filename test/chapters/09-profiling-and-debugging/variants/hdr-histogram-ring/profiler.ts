// Another correct profiler: spans are objects that end themselves, durations
// go into hdr-histogram-js histograms (a library, in the JavaScript heap), and
// the recent spans live in a ring of typed arrays instead of objects.
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics_channel from 'node:diagnostics_channel';
import * as hdr from 'hdr-histogram-js';

export const SPAN_CHANNEL = 'workbook:profiler:span';

export interface SpanRecord {
  id: number;
  parentId: number | null;
  traceId: number;
  name: string;
  startMs: number;
  durationMs: number;
  failed: boolean;
}

export interface SpanStats {
  name: string;
  count: number;
  errors: number;
  totalMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ActiveSpan {
  id: number;
  traceId: number;
  name: string;
}

export interface ProfilerOptions {
  now?: () => number;
  recentSpans?: number;
}

const channel = diagnostics_channel.channel(SPAN_CHANNEL);

interface Totals {
  errors: number;
  totalMs: number;
  maxMs: number;
  histogram: hdr.Histogram;
}

/** The last `capacity` spans, one typed array per field. */
class SpanRing {
  readonly #ids: Float64Array;
  readonly #parents: Float64Array;
  readonly #traces: Float64Array;
  readonly #starts: Float64Array;
  readonly #durations: Float64Array;
  readonly #failed: Uint8Array;
  readonly #names: string[];
  #written = 0;

  constructor(readonly capacity: number) {
    this.#ids = new Float64Array(capacity);
    this.#parents = new Float64Array(capacity);
    this.#traces = new Float64Array(capacity);
    this.#starts = new Float64Array(capacity);
    this.#durations = new Float64Array(capacity);
    this.#failed = new Uint8Array(capacity);
    this.#names = new Array<string>(capacity).fill('');
  }

  push(span: Span, durationMs: number, failed: boolean): void {
    const slot = this.#written++ % this.capacity;
    this.#ids[slot] = span.id;
    this.#parents[slot] = span.parent?.id ?? -1;
    this.#traces[slot] = span.traceId;
    this.#starts[slot] = span.startMs;
    this.#durations[slot] = durationMs;
    this.#failed[slot] = failed ? 1 : 0;
    this.#names[slot] = span.name;
  }

  read(): SpanRecord[] {
    const count = Math.min(this.#written, this.capacity);
    const records: SpanRecord[] = [];
    for (let k = this.#written - count; k < this.#written; k++) {
      const slot = k % this.capacity;
      const parent = this.#parents[slot]!;
      records.push({
        id: this.#ids[slot]!,
        parentId: parent < 0 ? null : parent,
        traceId: this.#traces[slot]!,
        name: this.#names[slot]!,
        startMs: this.#starts[slot]!,
        durationMs: this.#durations[slot]!,
        failed: this.#failed[slot] === 1,
      });
    }
    return records;
  }
}

class Span {
  constructor(
    readonly id: number,
    readonly name: string,
    readonly parent: Span | undefined,
    readonly startMs: number,
  ) {}

  get traceId(): number {
    return this.parent ? this.parent.traceId : this.id;
  }
}

export class Profiler {
  readonly #now: () => number;
  readonly #current = new AsyncLocalStorage<Span>();
  readonly #totals = new Map<string, Totals>();
  readonly #ring: SpanRing;
  #ids = 0;

  constructor(options: ProfilerOptions = {}) {
    this.#now = options.now ?? performance.now.bind(performance);
    this.#ring = new SpanRing(options.recentSpans ?? 10_000);
  }

  span<T>(name: string, fn: () => T): T {
    const span = new Span(++this.#ids, name, this.#current.getStore(), this.#now());
    const finish = (failed: boolean) => this.#finish(span, failed);
    let outcome: T;
    try {
      outcome = this.#current.run(span, fn);
    } catch (error) {
      finish(true);
      throw error;
    }
    if (outcome instanceof Promise) {
      return outcome.then(
        (value: unknown) => (finish(false), value),
        (error: unknown) => {
          finish(true);
          throw error;
        },
      ) as T;
    }
    finish(false);
    return outcome;
  }

  #finish(span: Span, failed: boolean): void {
    const durationMs = this.#now() - span.startMs;
    let totals = this.#totals.get(span.name);
    if (!totals) {
      totals = {
        errors: 0,
        totalMs: 0,
        maxMs: 0,
        histogram: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2 }),
      };
      this.#totals.set(span.name, totals);
    }
    totals.histogram.recordValue(Math.max(1, Math.round(durationMs * 1_000))); // µs
    totals.totalMs += durationMs;
    totals.maxMs = Math.max(totals.maxMs, durationMs);
    if (failed) totals.errors++;
    this.#ring.push(span, durationMs, failed);
    if (channel.hasSubscribers) {
      channel.publish({ id: span.id, parentId: span.parent?.id ?? null, traceId: span.traceId, name: span.name, startMs: span.startMs, durationMs, failed });
    }
  }

  current(): ActiveSpan | undefined {
    const span = this.#current.getStore();
    return span ? { id: span.id, traceId: span.traceId, name: span.name } : undefined;
  }

  report(): SpanStats[] {
    const stats: SpanStats[] = [];
    for (const [name, t] of this.#totals) {
      const at = (p: number) => t.histogram.getValueAtPercentile(p) / 1_000;
      stats.push({ name, count: t.histogram.totalCount, errors: t.errors, totalMs: t.totalMs, p50Ms: at(50), p95Ms: at(95), p99Ms: at(99), maxMs: t.maxMs });
    }
    return stats.sort((a, b) => b.totalMs - a.totalMs);
  }

  recentSpans(): SpanRecord[] {
    return this.#ring.read();
  }
}
