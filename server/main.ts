// `npm run server`: the reference MCP server. Streamable HTTP on
// 127.0.0.1:3000/mcp by default (PORT changes the port, 0 picks a free one);
// `npm run server -- --stdio` speaks stdio instead.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { toChromeTrace } from '../solutions/09-profiling-and-debugging/trace-export.ts';
import { openApp } from './app.ts';
import { loadConfig } from './config.ts';
import { startHttpServer } from './http/server.ts';
import { createLogger } from './log.ts';
import { createMcpServer } from './mcp-server.ts';
import { createDoor } from './production/admission.ts';
import { createServerHealth } from './production/health.ts';
import { installShutdown } from './production/shutdown.ts';

const config = loadConfig();
const log = createLogger();
// Built before the app so the status tool can report its counters; the
// limiter's Redis client is attached below, once the app has opened Redis.
let door: ReturnType<typeof createDoor> | undefined;
const app = await openApp(config, log, {
  inFlight: () => door?.inFlight() ?? 0,
  peakInFlight: () => door?.peakInFlight() ?? 0,
  shed: () => door?.shed() ?? 0,
  rateLimited: () => door?.rateLimited() ?? 0,
});
const backends = { database: app.ctx.database.mode, redis: app.ctx.redis.mode };

if (config.transport === 'stdio') {
  const mcp = createMcpServer(app.ctx, { conformanceFixtures: config.conformanceFixtures });
  mcp.server.onerror = (error) => log.debug({ err: error.message }, 'protocol error');
  const transport = new StdioServerTransport();
  const stop = async () => {
    await mcp.close();
    await app.close();
    process.exit(0);
  };
  // The client closing our stdin is how a stdio session ends.
  process.stdin.once('end', stop);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await mcp.connect(transport);
  log.info({ transport: 'stdio', ...backends }, 'MCP server ready on stdio');
} else {
  // One command connection for the rate limit's buckets and the readiness ping.
  const control = app.ctx.redis.connect('commands');
  const rateLimitOn = config.rateLimit === 'on' || (config.rateLimit === 'auto' && app.ctx.redis.mode === 'redis');
  if (rateLimitOn && config.rateLimitPerSecond < 1) throw new Error('MCP_RATE_LIMIT_PER_SECOND must be at least 1 while the rate limit is on');
  const { telemetry } = app;
  door = createDoor({
    onShed: (reason) => telemetry.recordShed(reason),
    onRateLimited: (client) => telemetry.recordRateLimited(client),
    admission: { maxInFlight: config.maxInFlight, maxEventLoopDelayMs: config.maxEventLoopDelayMs || Number.POSITIVE_INFINITY },
    ...(rateLimitOn && {
      rateLimit: {
        redis: control,
        capacity: Math.max(1, config.rateLimitBurst),
        refillPerSecond: config.rateLimitPerSecond,
        keyPrefix: `${config.redisPrefix}ratelimit:`,
      },
    }),
  });
  const health = createServerHealth(app.ctx.database, app.ctx.redis, control, {
    cacheMs: config.readinessCacheMs,
    timeoutMs: config.readinessTimeoutMs,
  });
  const mcp = createMcpServer(app.ctx, { conformanceFixtures: config.conformanceFixtures, stateless: true });
  mcp.server.onerror = (error) => log.debug({ err: error.message }, 'protocol error');
  const trace = () => toChromeTrace(app.ctx.profiler.recentSpans(), { processName: 'fast-mcp-workbook server' });
  const { inFlight } = door;
  const metrics = () => {
    telemetry.setInFlight(inFlight());
    return telemetry.metrics();
  };
  const running = await startHttpServer({ ...config, door, health, mcp, trace, metrics });
  installShutdown({
    running,
    inFlight,
    log,
    graceMs: config.shutdownGraceMs,
    resources: [
      { name: 'admission', close: () => door?.close() },
      { name: 'backends', close: () => app.close() },
    ],
  });
  log.info(
    {
      url: running.url,
      ...backends,
      maxInFlight: config.maxInFlight,
      maxEventLoopDelayMs: config.maxEventLoopDelayMs || 'off',
      rateLimit: rateLimitOn ? { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst, clientIdHeader: config.clientIdHeader } : 'off',
    },
    `MCP server listening on ${running.url}`,
  );
}
