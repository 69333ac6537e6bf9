// What every tool module is given: the backends, the cache in front of them,
// the metrics every call is recorded in (chapter 2's percentiles for the
// metrics tool, chapter 10's Prometheus series for GET /metrics), and chapter
// 9's profiler that times each call's stages. Built once per process.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MetricsCollector } from '../../solutions/02-benchmarking-and-metrics/metrics.ts';
import { withDeadline } from '../../solutions/03-async-optimization/deadline.ts';
import type { Profiler } from '../../solutions/09-profiling-and-debugging/profiler.ts';
import type { MultiLevelCache } from '../../solutions/06-caching-strategies/multi-level-cache.ts';
import type { QueryMetrics } from '../../solutions/05-database-performance/query-metrics.ts';
import type { Telemetry } from '../../solutions/10-production-optimization/observability.ts';
import type { ServerDatabase, ServerRedis } from '../backends.ts';

/** Chapter 9's Profiler, or the pass-through the server uses with MCP_PROFILE=off. */
export type SpanRecorder = Pick<Profiler, 'span' | 'report' | 'recentSpans'>;

/** Runs every span's function and records nothing. */
export const NO_SPANS: SpanRecorder = { span: (_name, fn) => fn(), report: () => [], recentSpans: () => [] };

export interface ServerStats {
  /** Calls being handled right now, and calls shed since start. */
  inFlight(): number;
  peakInFlight(): number;
  shed(): number;
  /** Tool calls refused by the per-client rate limit. */
  rateLimited(): number;
}

export interface ToolContext {
  database: ServerDatabase;
  redis: ServerRedis;
  cache: MultiLevelCache;
  /** Key prefix for everything this server puts in Redis. */
  keyPrefix: string;
  metrics: MetricsCollector;
  /** Chapter 10's Prometheus counters and histograms, scraped at GET /metrics. */
  telemetry: Pick<Telemetry, 'recordCall'>;
  /** Spans per call: `tool <name>` around each call, `db <query>` and `cache get` inside it. */
  profiler: SpanRecorder;
  queries: QueryMetrics;
  startedAt: number;
  server: ServerStats;
}

/** Tool classes the load test reports separately (carried in each tool's _meta). */
export type ToolClass = 'cached' | 'uncached' | 'action' | 'status' | 'compute';
export const TOOL_CLASS_META = 'io.github.fast-mcp-workbook/class';

export const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
export const json = (value: unknown): CallToolResult => text(JSON.stringify(value));

/** The database's time budget per call (chapter 3's deadline), shorter than any client's timeout. */
export const DB_DEADLINE_MS = 5_000;

/**
 * Run a database query with chapter 3's deadline, after the schema is ready,
 * timed by chapter 5's query metrics. Any failure becomes one clear sentence.
 */
export function onDatabase<T>(ctx: ToolContext, name: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return clearly(ctx, () =>
    ctx.profiler.span(`db ${name}`, async () => {
      await ctx.database.ready();
      return withDeadline(() => ctx.queries.timed(name, work), { timeoutMs: DB_DEADLINE_MS, signal });
    }),
  );
}

/** A read through the cache: no schema wait (a cached answer needs no database), same deadline and errors. */
export function throughCache<T>(ctx: ToolContext, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return clearly(ctx, () => ctx.profiler.span('cache get', () => withDeadline(work, { timeoutMs: DB_DEADLINE_MS, signal })));
}

async function clearly<T>(ctx: ToolContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`database unavailable (${ctx.database.mode}): ${reason || 'connection failed'}`);
  }
}

type Handler<A> = (args: A, extra: { signal: AbortSignal; sendNotification: (n: never) => Promise<void>; _meta?: Record<string, unknown> }) => Promise<CallToolResult>;

type Recorders = Pick<ToolContext, 'metrics' | 'profiler' | 'telemetry'>;

/**
 * Record every call's latency and outcome in chapter 2's collector and chapter
 * 10's Prometheus series, and run
 * it as chapter 9's outermost span, so the stages inside nest under it.
 */
export function recorded<A>(ctx: Recorders, name: string, handler: Handler<A>): Handler<A> {
  const spanName = `tool ${name}`;
  return (args, extra) =>
    ctx.profiler.span(spanName, async () => {
      const started = performance.now();
      let ok = false;
      try {
        const result = await handler(args, extra);
        ok = result.isError !== true;
        return result;
      } finally {
        const durationMs = performance.now() - started;
        ctx.metrics.record(name, durationMs, ok);
        // No client id: it would go to the log line only, and this server logs no line per call.
        ctx.telemetry.recordCall({ tool: name, client: '', outcome: ok ? 'ok' : 'error', durationMs });
      }
    });
}

/** The same, for a tool without arguments (the SDK passes only `extra`). */
export function recordedNoArgs(ctx: Recorders, name: string, handler: () => Promise<CallToolResult>) {
  const inner = recorded<undefined>(ctx, name, () => handler());
  return () => inner(undefined, undefined as never);
}

export type ToolRegistrar = (server: McpServer, ctx: ToolContext) => void;
