// What an instance tells the outside world about itself: one structured log
// line per tool call (pino), Prometheus metrics (prom-client, one registry per
// instance), and a profiler that stays on in production because it only times
// a sample of the calls.
import { pino, type DestinationStream, type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type CallOutcome = 'ok' | 'error';

export interface CallRecord {
  tool: string;
  /** Who called. */
  client: string;
  requestId?: string | number;
  outcome: CallOutcome;
  durationMs: number;
}

export interface TelemetryOptions {
  instanceId: string;
  /** Where log lines go (default: stdout). */
  logStream?: DestinationStream;
  logLevel?: string;
  /** Fraction of tool calls the profiler times, 0 to 1. */
  profileSampleRate?: number;
  /** Source of randomness for sampling (default Math.random). */
  random?: () => number;
  /** Process metrics (RSS, heap, event-loop lag, GC) beside the server's own. */
  defaultMetrics?: boolean;
}

export interface SpanStats {
  name: string;
  count: number;
  totalMs: number;
  minMs: number;
  maxMs: number;
}

export interface Telemetry {
  logger: Logger;
  registry: Registry;
  recordCall(call: CallRecord): void;
  recordShed(reason: string): void;
  recordRateLimited(client: string): void;
  setInFlight(count: number): void;
  /** Start timing `name` if this call is sampled; call the result when it ends. */
  startSpan(name: string): () => void;
  /** What the profiler has timed so far, slowest total first. */
  spans(): SpanStats[];
  /** The Prometheus text exposition, and its content type. */
  metrics(): Promise<{ contentType: string; text: string }>;
  /** Flush buffered log lines. */
  close(): Promise<void>;
}

export const DEFAULT_TELEMETRY = { logLevel: 'info', profileSampleRate: 0.01, defaultMetrics: true };

/** Seconds: from a cached lookup to the guide's 500 ms budget for complex actions, and past it. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5];

const noop = () => {};

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const { instanceId, logLevel, profileSampleRate, defaultMetrics } = { ...DEFAULT_TELEMETRY, ...options };
  const random = options.random ?? Math.random;
  const logger = pino({ level: logLevel, base: { instance: instanceId } }, options.logStream ?? process.stdout);

  // #region metrics
  // A registry of our own: two instances in one process (tests, a cluster
  // primary) must not share or collide over the global one.
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  // Labelled by client too, so a dashboard can show who is calling what.
  const calls = new Counter({
    name: 'mcp_tool_calls_total',
    help: 'Tool calls answered, by tool, client and outcome',
    labelNames: ['tool', 'client', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'mcp_tool_duration_seconds',
    help: 'Tool call duration in seconds',
    labelNames: ['tool', 'client'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const shed = new Counter({
    name: 'mcp_requests_shed_total',
    help: 'Requests refused by admission control, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const limited = new Counter({
    name: 'mcp_rate_limited_total',
    help: 'Tool calls refused by the per-client rate limit',
    registers: [registry],
  });
  const inFlight = new Gauge({ name: 'mcp_requests_in_flight', help: 'MCP requests being handled', registers: [registry] });
  const spanSeconds = new Histogram({
    name: 'mcp_profile_span_seconds',
    help: 'Sampled profiler spans, in seconds',
    labelNames: ['span'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  function recordCall({ tool, client, requestId, outcome, durationMs }: CallRecord): void {
    calls.inc({ tool, client, outcome });
    duration.observe({ tool, client }, durationMs / 1000);
    logger.info({ tool, client, requestId, outcome, durationMs: Math.round(durationMs * 100) / 100 }, 'tool call');
  }
  // #endregion metrics

  // #region sampled-profiler
  const spanTotals = new Map<string, SpanStats>();
  function startSpan(name: string): () => void {
    // Unsampled calls pay for one random number and nothing else.
    if (!(random() < profileSampleRate)) return noop;
    const started = performance.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const ms = performance.now() - started;
      spanSeconds.observe({ span: name }, ms / 1000);
      const stats = spanTotals.get(name) ?? { name, count: 0, totalMs: 0, minMs: Infinity, maxMs: 0 };
      stats.count++;
      stats.totalMs += ms;
      stats.minMs = Math.min(stats.minMs, ms);
      stats.maxMs = Math.max(stats.maxMs, ms);
      spanTotals.set(name, stats);
    };
  }
  // #endregion sampled-profiler

  return {
    logger,
    registry,
    recordCall,
    recordShed(reason) {
      shed.inc({ reason });
      // Under overload, a line per refusal is more load: debug only, the counter has the total.
      logger.debug({ reason }, 'request shed');
    },
    recordRateLimited(client) {
      limited.inc();
      logger.debug({ client }, 'rate limited');
    },
    setInFlight: (count) => inFlight.set(count),
    startSpan,
    spans: () => [...spanTotals.values()].map((s) => ({ ...s })).sort((a, b) => b.totalMs - a.totalMs),
    async metrics() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
    close: () => new Promise<void>((resolve) => logger.flush(() => resolve())),
  };
}
