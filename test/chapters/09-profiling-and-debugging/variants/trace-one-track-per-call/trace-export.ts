// One track per call (tid = traceId), the hint's first half: right for calls
// whose children run one after another, wrong for a Promise.all inside a call.
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
  ph: 'X' | 'M';
  ts: number;
  dur?: number;
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

export function toChromeTrace(spans: readonly SpanRecord[], options: TraceOptions = {}): ChromeTrace {
  const pid = options.pid ?? process.pid;
  const traceEvents: TraceEvent[] = spans.map((span) => ({
    name: span.name,
    cat: 'span',
    ph: 'X',
    ts: span.startMs * 1000,
    dur: span.durationMs * 1000,
    pid,
    tid: span.traceId,
    args: { spanId: span.id, parentId: span.parentId, traceId: span.traceId },
  }));
  return { traceEvents, displayTimeUnit: 'ms' };
}
