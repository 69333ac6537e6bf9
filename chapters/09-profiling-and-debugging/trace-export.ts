// Spans as a Chrome trace (the Trace Event Format's JSON object form), which
// https://ui.perfetto.dev and chrome://tracing open. Load one exported from a
// busy server and see what is wrong with it.
import type { SpanRecord } from './profiler.ts';

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
/** Every span as a complete event on the server's one thread. */
export function toChromeTrace(spans: readonly SpanRecord[], options: TraceOptions = {}): ChromeTrace {
  const pid = options.pid ?? process.pid;
  const events: TraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: options.processName ?? 'mcp server' } },
    { name: 'thread_name', ph: 'M', ts: 0, pid, tid: 1, args: { name: 'main' } },
  ];
  for (const span of spans) {
    events.push({
      name: span.name,
      cat: 'span',
      ph: 'X',
      ts: span.startMs,
      dur: span.durationMs,
      pid,
      tid: 1,
      args: { spanId: span.id, parentId: span.parentId, traceId: span.traceId, ...(span.failed ? { failed: true } : {}) },
    });
  }
  return { traceEvents: events, displayTimeUnit: 'ms' };
}
// #endregion export
