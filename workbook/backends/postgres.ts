// Opens PostgreSQL for chapter 5's checks and benches. Embedded by default:
// PGlite (real PostgreSQL compiled to WebAssembly), one per process, reused.
// With DATABASE_URL set: a pg.Pool on that server. Either way the code under
// test gets the same small interface (query + connect/release), and every
// check works in a schema of its own that is dropped afterwards.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { root } from '../paths.ts';
import { schemaPrefix } from './namespace.ts';
import { harnessStarting, harnessWork } from '../running/in-child.ts';
import { printableUrl, serviceMode, serviceUrl, type ServiceMode } from './services.ts';
import { countingDatabase, type CountingDatabase } from './postgres-counting.ts';
import { createPgliteSession, type PgliteSession } from './postgres-embedded.ts';
import type { Database, PooledClient, PoolCounters, QueryResult } from './postgres-types.ts';

export type { Database, PooledClient, Queryable, QueryResult } from './postgres-types.ts';
export type { DbCounts } from './postgres-counting.ts';

export type DatabaseMode = ServiceMode;

export function databaseMode(): DatabaseMode {
  return serviceMode('postgres');
}

export interface TestDatabase {
  mode: DatabaseMode;
  /** The schema this check owns; created empty, dropped by close(). */
  schema: string;
  /** What the code under test gets: counts round trips, statements, checkouts and releases. */
  db: CountingDatabase;
  /** Uncounted access to the same schema, for setting up and verifying. */
  admin: Database & PoolCounters;
  /** Releases clients the code under test never gave back, drops the schema. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Simulated network latency added to every round trip (bench only). */
  roundTripDelayMs?: number;
}

/** A fresh schema on the database of this run, with a counting wrapper around it. */
export async function openTestDatabase(options: OpenOptions = {}): Promise<TestDatabase> {
  const schema = `${schemaPrefix()}${randomBytes(6).toString('hex')}`;
  const opened = databaseMode() === 'real' ? await openPostgres(schema) : await openEmbedded(schema);
  const db = countingDatabase(opened.database, options);
  return {
    mode: databaseMode(),
    schema,
    db,
    admin: opened.database,
    async close() {
      db.releaseLeaked();
      await opened.close();
    },
  };
}

// ---- embedded: PGlite ----

let session: Promise<PgliteSession> | undefined;

/**
 * Start the embedded database now, without waiting for it: call at import so
 * PGlite's start-up overlaps the test runner's own. Does nothing in real mode.
 */
export function warmUp(): void {
  if (databaseMode() !== 'embedded' || session) return;
  session = startSession();
  // Reported by the first openTestDatabase(), not here.
  session.catch(() => {});
  // Under the engine, the first check waits for this instead of paying for it.
  harnessStarting(session);
}

async function openEmbedded(schema: string) {
  session ??= startSession();
  const shared = await session;
  return shared.openSchema(schema);
}

function startSession(): Promise<PgliteSession> {
  const cache = pgliteDataDirCache();
  if (cache.exists()) return createPgliteSession(cache);
  // The first start on a machine runs initdb, seconds of work that holds the
  // event loop: tell the CLI it is the engine's, not a loop in learner code.
  return harnessWork('starting the embedded PostgreSQL for the first time', () => createPgliteSession(cache));
}

/**
 * PGlite's initdb takes 3–8 s; a dump of a fresh data directory loads in under 1 s.
 * Kept uncompressed (40 MB): a gzipped one loads twice as slowly.
 */
export function pgliteDataDirCache(repository = root) {
  const version = (JSON.parse(readFileSync(path.join(repository, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as {
    version: string;
  }).version;
  const file = path.join(repository, '.workbook', 'cache', `pglite-${version}-pg_trgm.tar`);
  return {
    exists: () => existsSync(file),
    read: (): Blob | undefined => (existsSync(file) ? new Blob([readFileSync(file)]) : undefined),
    async write(dump: Blob) {
      mkdirSync(path.dirname(file), { recursive: true });
      // Write then rename, so a process reading at the same moment never sees half a file.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      renameSync(partial, file);
    },
  };
}

/** Close the shared PGlite (the end of a test file). */
export async function closeEmbedded(): Promise<void> {
  const current = session;
  session = undefined;
  if (current) await (await current).close();
}

// ---- real: pg.Pool on DATABASE_URL ----

let reachable: Promise<void> | undefined;

async function ensureServer(url: string): Promise<void> {
  const probe = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3_000 });
  try {
    await probe.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `DATABASE_URL is set to ${printableUrl(url)} but PostgreSQL does not answer there: ${(error as Error).message}. ` +
        'Start the server, or unset DATABASE_URL to run on the embedded PGlite.',
    );
  }
  try {
    // In public, once: every check's schema finds it through search_path.
    await probe.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
  } catch (error) {
    // Two processes creating it at the same moment: the loser sees a duplicate.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42710') throw error;
  } finally {
    await probe.end();
  }
}

async function openPostgres(schema: string) {
  const url = serviceUrl('postgres')!;
  reachable ??= ensureServer(url);
  try {
    await reachable;
  } catch (error) {
    reachable = undefined;
    throw error;
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 3_000,
    // Every connection of this pool works in the check's own schema.
    options: `-c search_path=${schema},public`,
  });
  await pool.query(`CREATE SCHEMA ${schema}`);
  const database: Database & PoolCounters = {
    query: <Row,>(text: string, params?: unknown[]) => pool.query(text, params) as unknown as Promise<QueryResult<Row>>,
    async connect(): Promise<PooledClient> {
      const client = await pool.connect();
      return {
        query: <Row,>(text: string, params?: unknown[]) => client.query(text, params) as unknown as Promise<QueryResult<Row>>,
        release: (error?: Error | boolean) => client.release(error),
      };
    },
    get totalCount() {
      return pool.totalCount;
    },
    get idleCount() {
      return pool.idleCount;
    },
    get waitingCount() {
      return pool.waitingCount;
    },
  };
  return {
    database,
    async close() {
      try {
        await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}
