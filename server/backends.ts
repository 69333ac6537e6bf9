// The server's PostgreSQL and Redis: embedded stand-ins by default (PGlite,
// ioredis-mock), real servers when DATABASE_URL / REDIS_URL are set. Both are
// opened without waiting for the real server to answer, so the MCP server
// starts (and answers status calls) while a backend is down, and its tools
// recover when the backend comes back.
import { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import pg from 'pg';
import { poolConfig, poolStats, type Database, type PoolCounters, type PoolStats } from '../solutions/05-database-performance/pool.ts';
import { createSearchIndexes } from '../solutions/05-database-performance/search-index.ts';
import type { RedisRole } from '../solutions/06-caching-strategies/multi-level-cache.ts';
import { cacheClientOptions } from '../workbook/backends/redis.ts';
import { TABLES_SQL } from '../workbook/backends/schema.ts';
import { root } from '../workbook/paths.ts';
import type { ServerConfig } from './config.ts';

export interface ServerDatabase {
  mode: 'embedded' | 'postgres';
  db: Database;
  /** Resolves once the schema exists; retried on the next call after a failure. */
  ready(): Promise<void>;
  stats(): PoolStats;
  /** Readiness: resolves if the database answers `SELECT 1`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ServerRedis {
  mode: 'embedded' | 'redis';
  connect(role: RedisRole): Redis;
  /** 'ready' when connected; anything else means commands are failing over to the database. */
  status(): string;
  close(): void;
}

// ---------------------------------------------------------------- database

/** Run once: tables, trigram indexes, seed rows when the table is empty. */
async function prepareSchema(db: Database, seedUsers: number, ifNotExists: boolean): Promise<void> {
  for (const statement of TABLES_SQL) {
    await db.query(ifNotExists ? statement.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS') : statement);
  }
  await createSearchIndexes(db);
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  if (rows[0]!.n === 0 && seedUsers > 0) {
    await db.query(
      `INSERT INTO users (username, email, created_at)
       SELECT 'user' || n, 'user' || n || '@example.com', now() - make_interval(secs => n)
       FROM generate_series(1, $1::int) AS n`,
      [seedUsers],
    );
    await db.query(`INSERT INTO documents (content) SELECT '' FROM generate_series(1, 100)`);
  }
}

/** Memoise a preparation step, forgetting a failure so the next caller retries it. */
function retryingOnce(prepare: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= prepare().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/**
 * PGlite, opened on the first query rather than at start: its WebAssembly
 * PostgreSQL adds ≈ 260-300 MB of RSS (heap, compiled code; 130 MB more with
 * PGlite's default 128MB shared_buffers), which a server that only serves
 * in-memory tools (the benchmark) should not carry.
 */
function openEmbeddedDatabase(config: ServerConfig): ServerDatabase {
  type Opened = { database: Database & PoolCounters; close(): Promise<void> };
  let opened: Promise<Opened> | undefined;
  const open = (): Promise<Opened> =>
    (opened ??= (async () => {
      const { createPgliteSession } = await import('../workbook/backends/postgres-embedded.ts');
      const { pgliteDataDirCache } = await import('../workbook/backends/postgres.ts');
      // From a bundle (server/build.ts) import.meta.url is not in the repository: the launcher says where it is.
      const session = await createPgliteSession(pgliteDataDirCache(process.env.WORKBOOK_ROOT ?? root), { sharedBuffers: config.pgliteSharedBuffers });
      const schema = await session.openSchema(`mcp_${process.pid}_${Date.now().toString(36)}`);
      return {
        database: schema.database,
        async close() {
          await schema.close();
          await session.close();
        },
      };
    })().catch((error: unknown) => {
      opened = undefined;
      throw error;
    }));
  const db: Database = {
    query: async (text, params) => (await open()).database.query(text, params),
    connect: async () => (await open()).database.connect(),
  };
  let current: (Database & PoolCounters) | undefined;
  return {
    mode: 'embedded',
    db,
    ready: retryingOnce(async () => {
      current = (await open()).database;
      await prepareSchema(db, config.seedUsers, false);
    }),
    stats: () => (current ? poolStats(current) : { total: 0, idle: 0, active: 0, waiting: 0 }),
    // Not opened yet: nothing to be unreachable (it opens in-process on first
    // use), and a readiness probe must not pull in ≈ 270-300 MB of WebAssembly.
    ping: async () => {
      if (current) await current.query('SELECT 1');
    },
    async close() {
      const running = await opened?.catch(() => undefined);
      await running?.close();
    },
  };
}


function openPostgres(config: ServerConfig, url: string): ServerDatabase {
  const schema = config.databaseSchema;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`MCP_DB_SCHEMA must be a plain lower-case identifier, not ${JSON.stringify(schema)}`);
  // Chapter 5's pool: bounded checkout wait, so a dead server fails calls in 3 s instead of queueing them forever.
  const pool = new pg.Pool({ ...poolConfig(url, 10), options: `-c search_path=${schema},public` });
  // An idle client whose server went away emits 'error' on the pool; unheard, it would kill the process.
  pool.on('error', () => {});
  const db: Database = {
    query: (text, params) => pool.query(text, params) as never,
    async connect() {
      const client = await pool.connect();
      return { query: (text, params) => client.query(text, params) as never, release: (error) => client.release(error) };
    },
  };
  const ready = retryingOnce(async () => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    try {
      await pool.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
    } catch (error) {
      // Two processes creating it at once: the loser sees a duplicate, which is fine.
      const code = (error as { code?: string }).code;
      if (code !== '23505' && code !== '42710') throw error;
    }
    await prepareSchema(db, config.seedUsers, true);
  });
  return {
    mode: 'postgres',
    db,
    ready,
    stats: () => poolStats(pool),
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

export function openDatabase(config: ServerConfig): ServerDatabase {
  return config.databaseUrl ? openPostgres(config, config.databaseUrl) : openEmbeddedDatabase(config);
}

// ------------------------------------------------------------------- redis

export function openRedis(config: ServerConfig): ServerRedis {
  const opened: Redis[] = [];
  const url = config.redisUrl;
  if (!url) {
    return {
      mode: 'embedded',
      connect() {
        // Instances built with the same options share one keyspace and pub/sub bus.
        const client = new RedisMock({ port: 6391 }) as unknown as Redis;
        opened.push(client);
        return client;
      },
      status: () => 'ready',
      close: () => opened.forEach((client) => client.disconnect()),
    };
  }
  return {
    mode: 'redis',
    connect() {
      // Chapter 6's fail-fast options: a command fails after one reconnect
      // attempt instead of queueing for ~20 s, so reads fall through to the database.
      const client = new Redis(url, { ...cacheClientOptions });
      client.on('error', () => {});
      opened.push(client);
      return client;
    },
    status: () => opened[0]?.status ?? 'not connected',
    close: () => opened.forEach((client) => client.disconnect()),
  };
}
