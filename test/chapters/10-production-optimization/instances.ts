// Server instances for the checks and measurements: each one is the learner's
// startServer() on 127.0.0.1, port 0, with its own Redis connection from the
// workbook's harness (one key prefix per harness, so instances share buckets
// and real-mode cleanup finds every key), and its log lines kept in memory.
import { Writable } from 'node:stream';
import type { RedisHarness } from '../../../workbook/backends/redis.ts';

type ServerModule = typeof import('../../../solutions/10-production-optimization/server.ts');
export type ProductionServer = Awaited<ReturnType<ServerModule['startServer']>>;
export type ServerDeps = Parameters<ServerModule['startServer']>[0];
export type ServerOptions = NonNullable<Parameters<ServerModule['startServer']>[1]>;

export interface Instance {
  server: ProductionServer;
  /** Every log line the instance wrote, parsed. */
  logs: Array<Record<string, unknown>>;
}

export function instanceFactory(startServer: ServerModule['startServer'], redis: RedisHarness) {
  const opened: ProductionServer[] = [];
  return {
    async open(deps: Omit<ServerDeps, 'redis' | 'logStream'>, options: ServerOptions = {}): Promise<Instance> {
      const logs: Array<Record<string, unknown>> = [];
      const logStream = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n')) {
            if (!line) continue;
            try {
              logs.push(JSON.parse(line) as Record<string, unknown>);
            } catch {
              logs.push({ unparsed: line });
            }
          }
          done();
        },
      });
      const server = await startServer(
        { ...deps, redis: redis.connect('commands'), logStream },
        {
          ...options,
          // The machine's own load must not decide who is shed: checks that test the gauge pass their own.
          admission: { eventLoopDelay: () => 0, ...options.admission },
          rateLimit: { capacity: 10_000, refillPerSecond: 10_000, ...options.rateLimit, keyPrefix: `${redis.prefix}rate:` },
          telemetry: { defaultMetrics: false, ...options.telemetry },
        },
      );
      opened.push(server);
      return { server, logs };
    },
    async closeAll(): Promise<void> {
      for (const server of opened.splice(0)) await server.close().catch(() => {});
    },
  };
}
