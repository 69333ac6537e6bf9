// The reference export in milliseconds: the tracks are right, the clock is
// a thousand times too slow.
//
// Spans as a Chrome trace (the Trace Event Format's JSON object form), which
// https://ui.perfetto.dev and chrome://tracing open: every call becomes a
// track of nested bars, so you see where one slow call spent its time.
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
  /** 'X' a complete event (ts + dur), 'M' metadata (names of processes and tracks). */
  ph: 'X' | 'M';
  /** Microseconds. */
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

// #region export
/**
 * One track (tid) per call, named after its outermost span. A viewer draws a
 * track as a stack of bars and needs every bar on it to nest inside the one
 * below; calls that overlap in time would not, so they never share a track.
 * Children that overlap each other (a Promise.all inside a call) get a
 * further track of their own. The format counts time in microseconds.
 */
export function toChromeTrace(spans: readonly SpanRecord[], options: TraceOptions = {}): ChromeTrace {
  const pid = options.pid ?? process.pid;
  const events: TraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: options.processName ?? 'mcp server' } },
  ];
  const byTrace = new Map<number, SpanRecord[]>();
  for (const span of spans) {
    const list = byTrace.get(span.traceId);
    if (list) list.push(span);
    else byTrace.set(span.traceId, [span]);
  }
  let nextTid = 1;
  for (const [traceId, members] of byTrace) {
    // Parents before children: earlier start first, the longer one first on a tie.
    members.sort((a, b) => a.startMs - b.startMs || b.durationMs - a.durationMs);
    const root = members.find((s) => s.id === traceId);
    const lanes: Array<{ tid: number; open: SpanRecord[] }> = [];
    for (const span of members) {
      const end = span.startMs + span.durationMs;
      let lane = lanes.find(({ open }) => {
        while (open.length && endOf(open[open.length - 1]!) <= span.startMs) open.pop();
        return open.length === 0 || endOf(open[open.length - 1]!) >= end;
      });
      if (!lane) {
        lane = { tid: nextTid++, open: [] };
        const suffix = lanes.length ? ` (${lanes.length + 1})` : '';
        events.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: lane.tid, args: { name: `${root?.name ?? 'call'} #${traceId}${suffix}` } });
        lanes.push(lane);
      }
      lane.open.push(span);
      events.push({
        name: span.name,
        cat: 'span',
        ph: 'X',
        ts: span.startMs,
        dur: span.durationMs,
        pid,
        tid: lane.tid,
        args: { spanId: span.id, parentId: span.parentId, traceId: span.traceId, ...(span.failed ? { failed: true } : {}) },
      });
    }
  }
  return { traceEvents: events, displayTimeUnit: 'ms' };
}
// #endregion export

function endOf(span: SpanRecord): number {
  return span.startMs + span.durationMs;
}
