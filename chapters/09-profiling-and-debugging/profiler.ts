// A span profiler ported from the guide's Rust one: active spans in a map
// behind a lock, a guard whose end is handed to a task that runs later, and
// every duration kept for the report. It works in a demo with one request at
// a time. Read lesson.mdx, then: npm run chapter 9
import diagnostics_channel from 'node:diagnostics_channel';

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

/** The guide's RwLock: one holder at a time, the rest wait their turn. */
class Lock {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return ready;
  }
}

const spanChannel = diagnostics_channel.channel(SPAN_CHANNEL);

export class Profiler {
  readonly #now: () => number;
  readonly #lock = new Lock();
  readonly #active = new Map<number, Running>();
  // #region current-span
  /** The span that is running now: the one on top. */
  readonly #stack: number[] = [];
  // #endregion current-span
  // #region kept
  /** Every duration, per name, for exact percentiles. */
  readonly #durations = new Map<string, number[]>();
  readonly #errors = new Map<string, number>();
  /** Every finished span, for the trace export. */
  readonly #finished: SpanRecord[] = [];
  // #endregion kept
  #lastId = 0;

  constructor(options: ProfilerOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
  }

  // #region span
  /** Run `fn` as a span called `name`, inside whatever span is current. */
  async span<T>(name: string, fn: () => T): Promise<Awaited<T>> {
    const guard = await this.#start(name);
    let failed = false;
    try {
      return await fn();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      guard.end(failed);
    }
  }

  async #start(name: string): Promise<{ end(failed: boolean): void }> {
    const release = await this.#lock.acquire();
    const id = ++this.#lastId;
    try {
      const parent = this.#active.get(this.#stack[this.#stack.length - 1] ?? -1);
      this.#active.set(id, { id, name, parentId: parent?.id ?? null, traceId: parent?.traceId ?? id, startMs: this.#now() });
      this.#stack.push(id);
    } finally {
      release();
    }
    // Like the guide's Drop for SpanGuard: the end is spawned as a task of its own.
    return { end: (failed) => setImmediate(() => void this.#end(id, failed)) };
  }

  async #end(id: number, failed: boolean): Promise<void> {
    const release = await this.#lock.acquire();
    try {
      const span = this.#active.get(id);
      if (!span) return;
      this.#active.delete(id);
      this.#stack.pop();
      const durationMs = this.#now() - span.startMs;
      const durations = this.#durations.get(span.name) ?? [];
      durations.push(durationMs);
      this.#durations.set(span.name, durations);
      if (failed) this.#errors.set(span.name, (this.#errors.get(span.name) ?? 0) + 1);
      const record: SpanRecord = { ...span, durationMs, failed };
      this.#finished.push(record);
      spanChannel.publish(record);
    } finally {
      release();
    }
  }
  // #endregion span

  /** The span the calling code is running in, if any. */
  current(): ActiveSpan | undefined {
    const span = this.#active.get(this.#stack[this.#stack.length - 1] ?? -1);
    return span && { id: span.id, traceId: span.traceId, name: span.name };
  }

  /** Per span name: count, errors, total and percentiles; the most total time first. */
  report(): SpanStats[] {
    return [...this.#durations]
      .map(([name, durations]) => {
        const sorted = [...durations].sort((a, b) => a - b);
        const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
        return {
          name,
          count: sorted.length,
          errors: this.#errors.get(name) ?? 0,
          totalMs: sorted.reduce((sum, d) => sum + d, 0),
          p50Ms: at(0.5),
          p95Ms: at(0.95),
          p99Ms: at(0.99),
          maxMs: sorted[sorted.length - 1] ?? 0,
        };
      })
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  /** The last finished spans (at most `recentSpans`), oldest first: what a trace export reads. */
  recentSpans(): SpanRecord[] {
    return [...this.#finished];
  }
}
