// A server process for the shutdown checks, built with the learner's main():
// a report tool that uses a database pool and Redis, a tool that never
// finishes in time, and notes (one JSON line each, written synchronously so
// they survive process.exit) of what happened: every request the server
// accepted, the signal, and when the pool and Redis were closed.
import { appendFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { Writable } from 'node:stream';
import { childRedis } from './child-redis.ts';
import { loadLearnerFile } from './learner.ts';
import { fakePool, reportTool, sleepTool } from './tools.ts';

type MainModule = typeof import('../../../solutions/10-production-optimization/main.ts');

const reportFile = process.env.SHUTDOWN_REPORT!;
const prefix = process.env.SHUTDOWN_PREFIX ?? 'wb10:shutdown:';
const drainTimeoutMs = Number(process.env.SHUTDOWN_DRAIN_MS ?? 10_000);
const queryMs = Number(process.env.SHUTDOWN_QUERY_MS ?? 150);

const note = (event: Record<string, unknown>) => appendFileSync(reportFile, `${JSON.stringify({ t: Date.now(), ...event })}\n`);

// Requests in flight at the signal, whatever the machine's load: once the
// server has answered its warm-up, each query is held open until SIGTERM, and
// "HELD" tells the check that every client has one held, so it can signal.
const holdAfterAccepted = Number(process.env.SHUTDOWN_HOLD_AFTER ?? Infinity);
const holdCount = Number(process.env.SHUTDOWN_HOLD_COUNT ?? Infinity);
let accepted = 0;
let held = 0;
let signalled = false;
let releaseHeld = () => {};
const signal = new Promise<void>((resolve) => (releaseHeld = resolve));
const holdBeforeAnswer = () => {
  if (signalled || accepted < holdAfterAccepted) return undefined;
  if (++held === holdCount) process.stdout.write('HELD\n');
  return signal;
};

// Registered before main() installs its handler, so it runs first.
process.on('SIGTERM', () => {
  signalled = true;
  note({ event: 'signal', held });
  releaseHeld();
});
process.on('exit', (code) => note({ event: 'exit', code }));

const { main } = await loadLearnerFile<MainModule>('main.ts');
const redis: Redis = await childRedis();
const pool = fakePool(queryMs, holdBeforeAnswer);
const report = reportTool(pool, redis, prefix);
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

const server = await main(
  {
    redis,
    tools: [report.tool, sleepTool(60_000)],
    dependencies: [{ name: 'redis', check: () => redis.ping() }],
    logStream: quiet,
    resources: [
      {
        name: 'database',
        close: async () => {
          note({ event: 'database-closed', queriesRunning: pool.state.active, reportsRunning: report.stats.running });
          await pool.end();
        },
      },
      {
        name: 'redis',
        close: async () => {
          note({ event: 'redis-closed', reportsRunning: report.stats.running });
          await redis.quit();
        },
      },
    ],
  },
  {
    rateLimit: { capacity: 100_000, refillPerSecond: 100_000, keyPrefix: `${prefix}rate:` },
    admission: { maxInFlight: 1_000, maxEventLoopDelayMs: 10_000 },
    telemetry: { defaultMetrics: false },
    shutdown: { drainTimeoutMs },
  },
);
server.http.on('request', (req) => {
  const seq = req.headers['x-seq'];
  if (typeof seq !== 'string') return;
  accepted++;
  note({ event: 'accepted', seq: Number(seq) });
});
process.stdout.write(`READY ${server.url}\n`);
