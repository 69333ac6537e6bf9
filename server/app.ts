// Builds everything a server process needs from its config: backends, the
// cache in front of them, metrics, and the tool context. Transports are
// attached by main.ts; close() releases what open() took.
import { MetricsCollector } from '../solutions/02-benchmarking-and-metrics/metrics.ts';
import { createQueryMetrics } from '../solutions/05-database-performance/query-metrics.ts';
import { createMultiLevelCache } from '../solutions/06-caching-strategies/multi-level-cache.ts';
import { Profiler } from '../solutions/09-profiling-and-debugging/profiler.ts';
import { createTelemetry, type Telemetry } from '../solutions/10-production-optimization/observability.ts';
import { openDatabase, openRedis } from './backends.ts';
import type { ServerConfig } from './config.ts';
import type { Logger } from './log.ts';
import { NO_SPANS, type ServerStats, type ToolContext } from './tools/context.ts';
import { cacheStore } from './tools/query-tools.ts';

export interface App {
  ctx: ToolContext;
  /** Prometheus series for GET /metrics: tool calls, durations, sheds, and the process's own. */
  telemetry: Telemetry;
  close(): Promise<void>;
}

export async function openApp(config: ServerConfig, log: Logger, stats: ServerStats): Promise<App> {
  const database = openDatabase(config);
  if (database.mode === 'postgres') {
    // Prepare the schema now, but do not wait for it: a database that is down
    // at start fails the tools that need it, never the whole server.
    database.ready().catch((error: Error) => log.warn({ err: error.message }, 'database not ready yet; tools will retry'));
  }
  const redis = openRedis(config);
  // The last 10 000 spans (a few MB at most) for /debug/trace; per-name stats are fixed-size.
  const profiler = config.profile === 'on' ? new Profiler({ recentSpans: 10_000 }) : NO_SPANS;
  const cache = await createMultiLevelCache(
    { connectRedis: (role) => redis.connect(role), db: cacheStore(database, config.redisPrefix, profiler) },
    { channel: `${config.redisPrefix}invalidate` },
  );
  // Chapter 10's telemetry for its metrics only: the server has its own log
  // (stderr, never a line per call), so this logger is silent, and the
  // profiler beside it is chapter 9's, so the sampled one is off.
  const telemetry = createTelemetry({
    instanceId: `reference-server-${process.pid}`,
    logLevel: 'silent',
    logStream: process.stderr,
    profileSampleRate: 0,
  });
  const ctx: ToolContext = {
    database,
    redis,
    cache,
    keyPrefix: config.redisPrefix,
    metrics: new MetricsCollector(),
    telemetry,
    profiler,
    queries: createQueryMetrics({ logSlow: (name, ms) => log.warn({ query: name, ms: Math.round(ms) }, 'slow query') }),
    startedAt: performance.now(),
    server: stats,
  };
  return {
    ctx,
    telemetry,
    async close() {
      await cache.close();
      redis.close();
      await database.close();
      await telemetry.close();
    },
  };
}
