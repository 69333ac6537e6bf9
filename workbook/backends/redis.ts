// Redis for the caching checks and bench: ioredis-mock in-process by default,
// a real server through ioredis when REDIS_URL is set. Every connection a
// cache opens goes through `connect(role)`, so checks count connections per
// role and every command sent (a spy that catches KEYS), and can take Redis
// away mid-run to see what the cache does without it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { list as redisCommands } from '@ioredis/commands';
import { Redis, type RedisOptions } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { keyPrefix } from './namespace.ts';
import { printableUrl, reachable, redisDatabase, serviceMode, serviceUrl, type ServiceMode } from './services.ts';

export type RedisRole = 'commands' | 'subscriber';

export interface RedisHarness {
  mode: ServiceMode;
  /** Where commands go: "ioredis-mock" or the server's URL. */
  target: string;
  /** A random key prefix for this harness; cleanup() deletes every key under it. */
  prefix: string;
  /** The factory handed to the cache under test: each call opens (and counts) a connection. */
  connect(role: RedisRole): Redis;
  /** Connections opened through connect(), per role. */
  connections: Record<RedisRole, number>;
  /** How many times each command (lower-case) was sent through those connections. */
  commands: Map<string, number>;
  /** A client for the check's own reads and writes: not counted, never taken down. */
  inspect: Redis;
  /** Take Redis away (embedded: every command fails; real: the server is killed). */
  down(): Promise<void>;
  /** Bring it back (embedded: commands work again; real: the server restarts on its port). */
  up(): Promise<void>;
  /** Delete this harness's keys and close every connection it handed out. */
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  /**
   * Run against a redis-server of our own on a free port, so it can be
   * stopped and started (real mode only; the shared server is never touched).
   */
  ownServer?: boolean;
}

/** Connections opened per role before further ones share them (every call is still counted). */
const MAX_REAL_CONNECTIONS_PER_ROLE = 16;
const REDIS_SERVER = '/usr/bin/redis-server';
/** The port the in-process stand-in pretends to be on; instances on one port share data. */
const MOCK_PORT = 6390;

// #region fail-fast
/**
 * How every connection handed to a cache is configured: fail a command after
 * one reconnect attempt instead of queueing it through ioredis's default 20 retries (about 10 s of back-off),
 * retry the connection every ≤ 100 ms, and never wait more than 1 s on a reply.
 */
export const cacheClientOptions: RedisOptions = {
  maxRetriesPerRequest: 1,
  retryStrategy: (attempt) => Math.min(attempt * 20, 100),
  connectTimeout: 1_000,
  commandTimeout: 1_000,
};
// #endregion fail-fast

export function redisMode(): ServiceMode {
  return serviceMode('redis');
}

export async function redisHarness(options: HarnessOptions = {}): Promise<RedisHarness> {
  return redisMode() === 'real' ? realHarness(options) : embeddedHarness();
}

// ---------------------------------------------------------------- embedded

interface MockInternals {
  context?: { modifiedKeyEvents?: { setMaxListeners(n: number): void } };
}

async function embeddedHarness(): Promise<RedisHarness> {
  const state = { down: false };
  const spy = createSpy();
  const inspect = withSnapshotScan(new RedisMock({ port: MOCK_PORT }) as unknown as Redis);
  // Every mock instance on a port listens on one shared emitter; a cache that
  // opens a connection per call would trip Node's leak warning at 11.
  (inspect as unknown as MockInternals).context?.modifiedKeyEvents?.setMaxListeners(4 * MAX_REAL_CONNECTIONS_PER_ROLE);
  const pools = rolePools(() => {
    const client = withSnapshotScan(new RedisMock({ port: MOCK_PORT }) as unknown as Redis);
    return instrument(client, spy, () => state.down);
  });
  const prefix = randomPrefix();
  return {
    mode: 'embedded',
    target: 'ioredis-mock',
    prefix,
    connect: pools.connect,
    connections: pools.counts,
    commands: spy.counts,
    inspect,
    async down() {
      state.down = true;
    },
    async up() {
      state.down = false;
    },
    async cleanup() {
      await deletePrefix(inspect, prefix);
      for (const client of pools.all) client.disconnect();
      inspect.disconnect();
    },
  };
}

/**
 * Real Redis's SCAN guarantees that a full iteration returns every key present
 * from its start to its end, whatever is deleted meanwhile. ioredis-mock's
 * cursor is an offset into the live key list, so a caller that deletes each
 * batch before asking for the next skips keys (100 of 300 left behind): a
 * correct SCAN loop would fail here and pass on a real server. This gives the
 * mock's SCAN real Redis's contract: cursor 0 snapshots the key order, each
 * call examines the next COUNT keys of that snapshot (10 by default, as Redis
 * does), returns those that still exist and match, and the cursor names the
 * iteration and its position. Keys created during the walk are not returned,
 * which Redis also allows. scanStream uses it too (the mock's stream calls
 * the client's own scan).
 */
function withSnapshotScan(client: Redis): Redis {
  const mock = client as unknown as { scan(...args: unknown[]): Promise<[string, string[]]> };
  const original = mock.scan.bind(mock);
  mock.scan = (...raw: unknown[]) => {
    const callback = typeof raw.at(-1) === 'function' ? (raw.pop() as (error: unknown, reply?: unknown) => void) : undefined;
    const reply = snapshotScan(original, raw.flat().map(String));
    if (callback) reply.then((result) => callback(null, result), (error: unknown) => callback(error));
    return reply;
  };
  return client;
}

/** Iterations in progress, by the cursor handed out; shared by every mock client, as cursors are by Redis. */
const scanIterations = new Map<string, { keys: string[]; position: number }>();
let lastCursor = 0;
const EVERY_KEY = String(2 ** 31);

async function snapshotScan(
  original: (...args: string[]) => Promise<[string, string[]]>,
  [cursor = '0', ...options]: string[],
): Promise<[string, string[]]> {
  let match: string | undefined;
  let count = 10;
  for (let i = 0; i < options.length; i += 2) {
    const option = options[i]!.toUpperCase();
    if (option === 'MATCH') match = options[i + 1];
    else if (option === 'COUNT') count = Number.parseInt(options[i + 1] ?? '', 10);
    // TYPE and anything else: let the mock answer (or refuse) as it always did.
    else return original(cursor, ...options);
  }
  if (!Number.isInteger(count) || count < 1) throw new Error('ERR syntax error');
  let iteration = cursor === '0' ? undefined : scanIterations.get(cursor);
  if (cursor === '0') iteration = { keys: (await original('0', 'COUNT', EVERY_KEY))[1], position: 0 };
  // A cursor this harness never handed out: behave as the mock did.
  if (!iteration) return original(cursor, ...options);
  const examined = iteration.keys.slice(iteration.position, iteration.position + count);
  const position = iteration.position + examined.length;
  const live = new Set((await original('0', ...(match === undefined ? [] : ['MATCH', match]), 'COUNT', EVERY_KEY))[1]);
  const found = examined.filter((key) => live.has(key));
  if (position >= iteration.keys.length) return ['0', found];
  const next = String(++lastCursor);
  scanIterations.set(next, { keys: iteration.keys, position });
  return [next, found];
}

// -------------------------------------------------------------------- real

async function realHarness({ ownServer = false }: HarnessOptions): Promise<RedisHarness> {
  const server = ownServer ? await startRedisServer() : undefined;
  const url = server?.url ?? serviceUrl('redis')!;
  if (!server) await assertReachable(url);
  const spy = createSpy();
  const { hostname, port, username, password } = new URL(url);
  const base: RedisOptions = {
    host: hostname,
    port: Number(port || 6379),
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    // On the shared server, chapter code works in the workbook's own database
    // (see services.ts redisDatabase): a KEYS or FLUSHDB there harms nothing
    // else. A server of our own has nothing else in it.
    db: server ? 0 : redisDatabase(url),
    ...cacheClientOptions,
  };
  const inspect = new Redis({ ...base, lazyConnect: true });
  inspect.on('error', () => {});
  await inspect.connect();
  const pools = rolePools(() => {
    const client = new Redis(base);
    // A cache should count its own failed commands; without a listener ioredis
    // would also print every reconnect failure to the console.
    client.on('error', () => {});
    return instrument(client, spy, () => false);
  });
  const prefix = randomPrefix();
  return {
    mode: 'real',
    target: printableUrl(url),
    prefix,
    connect: pools.connect,
    connections: pools.counts,
    commands: spy.counts,
    inspect,
    async down() {
      if (!server) throw new Error('down() needs redisHarness({ ownServer: true }): the shared Redis is never stopped');
      await server.stop();
    },
    async up() {
      if (!server) throw new Error('up() needs redisHarness({ ownServer: true })');
      await server.start();
      await waitFor(async () => (await inspect.ping()) === 'PONG', 3_000, `redis-server on ${url} did not come back`);
    },
    async cleanup() {
      try {
        if (inspect.status === 'ready') await deletePrefix(inspect, prefix);
      } finally {
        for (const client of pools.all) client.disconnect();
        inspect.disconnect();
        await server?.stop();
      }
    },
  };
}

async function assertReachable(url: string): Promise<void> {
  if (!(await reachable(url, 1_500))) {
    throw new Error(
      `REDIS_URL is ${printableUrl(url)}, but nothing answered there. Start Redis, or unset REDIS_URL to run on the in-process stand-in (ioredis-mock).`,
    );
  }
}

interface OwnServer {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A throwaway redis-server on a free 127.0.0.1 port, killed when the process exits. */
export async function startRedisServer(): Promise<OwnServer> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`the Redis outage check needs ${REDIS_SERVER} to start a server of its own (it never stops the shared one)`);
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  const server: OwnServer = {
    url,
    async start() {
      child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      await waitFor(() => reachable(url, 200), 3_000, `${REDIS_SERVER} did not start on port ${port}`);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
  };
  await server.start();
  return server;
}

// ------------------------------------------------------------------ shared

function rolePools(open: () => Redis) {
  const counts: Record<RedisRole, number> = { commands: 0, subscriber: 0 };
  const opened: Record<RedisRole, Redis[]> = { commands: [], subscriber: [] };
  const all: Redis[] = [];
  return {
    counts,
    all,
    connect(role: RedisRole): Redis {
      counts[role]++;
      const pool = opened[role];
      // A cache that opens a connection per call would exhaust file
      // descriptors; past the cap it shares earlier ones, but every call counts.
      if (pool.length >= MAX_REAL_CONNECTIONS_PER_ROLE) return pool[counts[role] % pool.length]!;
      const client = open();
      pool.push(client);
      all.push(client);
      return client;
    },
  };
}

function createSpy() {
  const counts = new Map<string, number>();
  return {
    counts,
    record(name: string) {
      const command = name.toLowerCase();
      counts.set(command, (counts.get(command) ?? 0) + 1);
    },
  };
}

const commandNames = new Set<string>(redisCommands);

const connectionError = () => Object.assign(new Error('Connection is closed.'), { code: 'ECONNREFUSED' });

/**
 * Wrap a client so every command is counted, and (embedded) fails the way
 * ioredis does while the server is unreachable.
 */
function instrument<T extends object>(client: T, spy: ReturnType<typeof createSpy>, isDown: () => boolean): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      const name = property;
      if (name === 'call' || name === 'sendCommand' || name === 'send_command') {
        return (...args: unknown[]) => {
          const first = args[0] as { name?: string } | string | undefined;
          spy.record(typeof first === 'string' ? first : (first?.name ?? name));
          if (isDown()) return Promise.reject(connectionError());
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (name === 'pipeline' || name === 'multi') {
        return (...args: unknown[]) => {
          const batch = (value as (...a: unknown[]) => object).apply(target, args);
          return instrumentBatch(batch, spy, isDown);
        };
      }
      if (name === 'scanStream' || name === 'sscanStream' || name === 'hscanStream' || name === 'zscanStream') {
        return (...args: unknown[]) => {
          spy.record(name.replace(/Stream$/, ''));
          if (isDown()) return failedStream();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (!commandNames.has(name.toLowerCase())) return value.bind(target);
      return (...args: unknown[]) => {
        spy.record(name);
        if (isDown()) return Promise.reject(connectionError());
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function instrumentBatch<T extends object>(batch: T, spy: ReturnType<typeof createSpy>, isDown: () => boolean): T {
  const proxy: T = new Proxy(batch, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      if (property === 'exec') {
        return (...args: unknown[]) =>
          isDown() ? Promise.reject(connectionError()) : (value as (...a: unknown[]) => unknown).apply(target, args);
      }
      if (commandNames.has(property.toLowerCase())) {
        return (...args: unknown[]) => {
          spy.record(property);
          (value as (...a: unknown[]) => unknown).apply(target, args);
          return proxy;
        };
      }
      return value.bind(target);
    },
  });
  return proxy;
}

function failedStream(): Readable {
  return new Readable({
    objectMode: true,
    read() {
      this.destroy(connectionError());
    },
  });
}

async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  const stream = client.scanStream({ match: `${prefix}*`, count: 500 });
  for await (const keys of stream as AsyncIterable<string[]>) {
    if (keys.length > 0) await client.unlink(...keys);
  }
}

function randomPrefix(): string {
  return `${keyPrefix()}${Math.random().toString(36).slice(2, 10)}:`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, message: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if (await condition()) return;
    } catch {
      // not yet
    }
    await sleep(20);
  }
  throw new Error(message);
}
