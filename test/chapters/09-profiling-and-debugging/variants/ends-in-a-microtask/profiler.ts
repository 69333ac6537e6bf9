// The reference profiler, except that a synchronous span's bookkeeping is put
// off to a microtask: the caller's next statements run inside the span.
//
// A span profiler cheap enough to leave on in production: which stage of a
// tool call took the time, per call and per stage name. The current span
// follows the call across `await` in an AsyncLocalStorage, a span ends when
// its function returns (or its promise settles), and everything it keeps is
// bounded: a small histogram per span name and the last N spans for export.
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics_channel from 'node:diagnostics_channel';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

/** Every finished span is published here (a SpanRecord) for whoever subscribes: a logger, an exporter. */
export const SPAN_CHANNEL = 'workbook:profiler:span';

export interface SpanRecord {
  id: number;
  /** The span this one ran inside, null for the outermost span of a call. */
  parentId: number | null;
  /** The outermost span of the call this one belongs to (its own id for that span). */
  traceId: number;
  name: string;
  /** When it started, in ms on the profiler's clock (performance.now() unless one is injected). */
  startMs: number;
  durationMs: number;
  /** The function threw, or its promise rejected. */
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
  /** The clock, in ms. Injected by tests; performance.now() otherwise. */
  now?: () => number;
  /** How many finished spans recentSpans() keeps, newest last. Default 10 000. */
  recentSpans?: number;
}

interface Running extends ActiveSpan {
  parentId: number | null;
  startMs: number;
}

// #region stats
// Durations go into an HDR histogram in nanoseconds: fixed memory per span
// name (about 36 KB at 2 significant digits over 1 ns … 1 h), percentiles
// within 1 %, whatever the number of spans.
const HIGHEST_NS = 3_600_000_000_000;

class NameStats {
  count = 0;
  errors = 0;
  totalMs = 0;
  maxMs = 0;
  readonly histogram: RecordableHistogram = createHistogram({ lowest: 1, highest: HIGHEST_NS, figures: 2 });

  add(durationMs: number, failed: boolean): void {
    this.count++;
    if (failed) this.errors++;
    this.totalMs += durationMs;
    if (durationMs > this.maxMs) this.maxMs = durationMs;
    this.histogram.record(Math.min(HIGHEST_NS, Math.max(1, Math.round(durationMs * 1e6))));
  }
}
// #endregion stats

const spanChannel = diagnostics_channel.channel(SPAN_CHANNEL);

export class Profiler {
  readonly #now: () => number;
  readonly #context = new AsyncLocalStorage<Running>();
  readonly #stats = new Map<string, NameStats>();
  /** A ring: the last `capacity` finished spans, oldest at #next once full. */
  readonly #recent: SpanRecord[] = [];
  readonly #capacity: number;
  #next = 0;
  #lastId = 0;

  constructor(options: ProfilerOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#capacity = Math.max(1, options.recentSpans ?? 10_000);
  }

  // #region span
  /**
   * Run `fn` as a span called `name`, inside whatever span is current. A
   * synchronous fn stays synchronous; a promise is returned as the same kind
   * of promise, and the span ends when it settles.
   */
  span<T>(name: string, fn: () => T): T {
    const parent = this.#context.getStore();
    const id = ++this.#lastId;
    const span: Running = { id, name, parentId: parent?.id ?? null, traceId: parent?.traceId ?? id, startMs: this.#now() };
    let result: T;
    try {
      // Everything fn starts, across every await, sees `span` as current.
      result = this.#context.run(span, fn);
    } catch (error) {
      this.#end(span, true);
      throw error;
    }
    if (isPromiseLike(result)) {
      return result.then(
        (value) => {
          this.#end(span, false);
          return value;
        },
        (error: unknown) => {
          this.#end(span, true);
          throw error;
        },
      ) as T;
    }
    // "Cheaper": let the caller carry on and do the bookkeeping in a microtask.
    queueMicrotask(() => this.#end(span, false));
    return result;
  }

  /** Ends the span now, while its caller is still waiting: nothing deferred, nothing locked. */
  #end(span: Running, failed: boolean): void {
    const durationMs = this.#now() - span.startMs;
    let stats = this.#stats.get(span.name);
    if (!stats) this.#stats.set(span.name, (stats = new NameStats()));
    stats.add(durationMs, failed);
    const record: SpanRecord = {
      id: span.id,
      parentId: span.parentId,
      traceId: span.traceId,
      name: span.name,
      startMs: span.startMs,
      durationMs,
      failed,
    };
    this.#recent[this.#next] = record;
    this.#next = (this.#next + 1) % this.#capacity;
    // Building nothing for nobody: publishing costs a branch when no one listens.
    if (spanChannel.hasSubscribers) spanChannel.publish(record);
  }
  // #endregion span

  /** The span the calling code is running in, if any. */
  current(): ActiveSpan | undefined {
    const span = this.#context.getStore();
    return span && { id: span.id, traceId: span.traceId, name: span.name };
  }

  /** Per span name: count, errors, total and percentiles; the most total time first. */
  report(): SpanStats[] {
    const toMs = (ns: number) => ns / 1e6;
    return [...this.#stats]
      .map(([name, s]) => ({
        name,
        count: s.count,
        errors: s.errors,
        totalMs: s.totalMs,
        p50Ms: toMs(s.histogram.percentile(50)),
        p95Ms: toMs(s.histogram.percentile(95)),
        p99Ms: toMs(s.histogram.percentile(99)),
        maxMs: s.maxMs,
      }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  /** The last finished spans (at most `recentSpans`), oldest first: what a trace export reads. */
  recentSpans(): SpanRecord[] {
    if (this.#recent.length < this.#capacity) return [...this.#recent];
    return [...this.#recent.slice(this.#next), ...this.#recent.slice(0, this.#next)];
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
