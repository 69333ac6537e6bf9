// Status tools: answered from counters in memory, never from a backend, so
// they stay fast and truthful while a backend is down.
import { createMemoryMonitor } from '../../solutions/04-memory-management/memory-monitor.ts';
import { json, recordedNoArgs, TOOL_CLASS_META, type ToolRegistrar } from './context.ts';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;
const meta = { [TOOL_CLASS_META]: 'status' };

export const registerStatusTools: ToolRegistrar = (server, ctx) => {
  const memory = createMemoryMonitor();

  server.registerTool(
    'status',
    {
      description: 'Uptime, memory, calls in flight, shed calls, database pool, Redis connection and cache statistics.',
      annotations: readOnly,
      _meta: meta,
    },
    recordedNoArgs(ctx, 'status', async () => {
      const mem = memory.check();
      return json({
        uptimeMs: Math.round(performance.now() - ctx.startedAt),
        memory: { rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, overLimit: mem.overLimit, leakSuspected: mem.leakSuspected },
        calls: { inFlight: ctx.server.inFlight(), peakInFlight: ctx.server.peakInFlight(), shed: ctx.server.shed(), rateLimited: ctx.server.rateLimited() },
        database: { mode: ctx.database.mode, pool: ctx.database.stats() },
        redis: { mode: ctx.redis.mode, status: ctx.redis.status() },
        cache: ctx.cache.stats(),
      });
    }),
  );

  server.registerTool(
    'metrics',
    {
      description: 'Per-tool call counts, error counts and latency percentiles (ms) since start, and where the time went: per stage (tool, cache, database) span counts and percentiles.',
      annotations: readOnly,
      _meta: meta,
    },
    recordedNoArgs(ctx, 'metrics', async () => {
      const tools: Record<string, unknown> = {};
      for (const name of Object.keys(registeredTools(server))) {
        const snapshot = ctx.metrics.snapshot(name);
        if (snapshot) tools[name] = snapshot;
      }
      // Chapter 9's per-stage view: a slow get_user is a slow `cache get` or a slow `db load`.
      const stages = ctx.profiler.report().map((s) => ({
        name: s.name,
        count: s.count,
        errors: s.errors,
        totalMs: round(s.totalMs),
        p50Ms: round(s.p50Ms),
        p99Ms: round(s.p99Ms),
        maxMs: round(s.maxMs),
      }));
      return json({ ratePerMinute: ctx.metrics.ratePerMinute(), tools, stages });
    }),
  );
};

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function registeredTools(server: object): Record<string, unknown> {
  // McpServer keeps its tools in a field the SDK does not type as public.
  return (server as { _registeredTools?: Record<string, unknown> })._registeredTools ?? {};
}
