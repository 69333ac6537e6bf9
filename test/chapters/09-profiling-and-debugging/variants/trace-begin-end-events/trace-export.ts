// Begin/end ('B'/'E') duration events instead of complete ones, packed onto
// tracks first-fit across all calls: a span goes on the first track where it
// nests inside whatever is still open.
/** The profiler's span record (declared here so this file stands alone as a variant). */
interface SpanRecord {
  id: number;
  parentId: number | null;
  traceId: number;
  name: string;
  startMs: number;
  durationMs: number;
  failed: boolean;
}

export interface TraceEvent {
  name: string;
  ph: 'B' | 'E' | 'M';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
}

export interface TraceOptions {
  pid?: number;
  processName?: string;
}

const MICROSECONDS_PER_MS = 1000;

export function toChromeTrace(spans: readonly SpanRecord[], options: TraceOptions = {}): ChromeTrace {
  const pid = options.pid ?? process.pid;
  const ordered = [...spans].sort((a, b) => a.startMs - b.startMs || b.durationMs - a.durationMs);
  const tracks: SpanRecord[][] = []; // per track, the spans still open, innermost last
  const events: TraceEvent[][] = [];
  const end = (s: SpanRecord) => s.startMs + s.durationMs;
  const close = (track: number, until: number) => {
    const open = tracks[track]!;
    while (open.length && end(open[open.length - 1]!) <= until) {
      const done = open.pop()!;
      events[track]!.push({ name: done.name, ph: 'E', ts: end(done) * MICROSECONDS_PER_MS, pid, tid: track + 1 });
    }
  };
  for (const span of ordered) {
    let track = tracks.findIndex((open, t) => {
      close(t, span.startMs);
      const top = open[open.length - 1];
      return !top || (top.traceId === span.traceId && end(top) >= end(span));
    });
    if (track < 0) {
      track = tracks.push([]) - 1;
      events.push([]);
    }
    tracks[track]!.push(span);
    events[track]!.push({
      name: span.name,
      cat: 'span',
      ph: 'B',
      ts: span.startMs * MICROSECONDS_PER_MS,
      pid,
      tid: track + 1,
      args: { spanId: span.id, parentId: span.parentId, traceId: span.traceId },
    });
  }
  for (let t = 0; t < tracks.length; t++) close(t, Infinity);
  return { traceEvents: events.flat(), displayTimeUnit: 'ms' };
}
