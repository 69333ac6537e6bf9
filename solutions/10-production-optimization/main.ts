// The process entry point: build an instance from its parts, install the
// shutdown handler, and on a multi-core box optionally run one worker per core
// with node:cluster. Run it with `node --import tsx main.ts`
// (PORT, REDIS_URL, WORKERS, ALLOWED_ORIGINS from the environment).
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { startServer, type ProductionServer, type ServerDeps, type ServerOptions } from './server.ts';
import { installGracefulShutdown, type Closable, type ShutdownOptions } from './shutdown.ts';

export interface MainDeps extends ServerDeps {
  /** Closed after the drain, in this order (pools before the Redis they may use last). */
  resources: Closable[];
}

export interface MainOptions extends ServerOptions {
  shutdown?: ShutdownOptions;
}

// #region main
/** One instance: server, shutdown handler, and a line in the log saying where it listens. */
export async function main(deps: MainDeps, options: MainOptions = {}): Promise<ProductionServer> {
  const server = await startServer(deps, options);
  installGracefulShutdown(server, deps.resources, options.shutdown);
  server.telemetry.logger.info({ url: server.url, pid: process.pid }, 'listening');
  return server;
}
// #endregion main

// #region cluster
/**
 * Several workers on one box: the primary only forks and supervises; each
 * worker is a whole instance with its own event loop, admission control and
 * metrics, sharing the listening port (cluster hands out connections) and
 * Redis (the rate limit). SIGTERM reaches the primary, which passes it on.
 */
function runCluster(workers: number, startWorker: () => Promise<unknown>): void {
  if (cluster.isWorker) {
    void startWorker();
    return;
  }
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code) => {
    // A worker that dies on its own is replaced; during shutdown, we wait for all to go.
    if (!stopping) cluster.fork();
    else if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(code ?? 0);
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
// #endregion cluster

/** A tool for trying the entry point by hand. */
const echo = {
  name: 'echo',
  description: 'Returns its text',
  inputSchema: { text: z.string().max(10_000) },
  run: async (args: Record<string, unknown>) => String(args.text),
};

async function startFromEnvironment(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    // Fail a command quickly while Redis is away (the limiter lets the call through).
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
  });
  redis.on('error', () => {});
  await main(
    {
      redis,
      tools: [echo],
      dependencies: [{ name: 'redis', check: () => redis.ping() }],
      resources: [{ name: 'redis', close: () => redis.quit() }],
    },
    {
      port: Number(process.env.PORT ?? 3000),
      allowedOrigins: (process.env.ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
    },
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const workers = Math.min(Number(process.env.WORKERS ?? 1), availableParallelism());
  if (workers > 1) runCluster(workers, startFromEnvironment);
  else await startFromEnvironment();
}
