// PGlite behind the pool interface. PGlite is one PostgreSQL session, so a
// checked-out client must have it to itself (a transaction on one client must
// not see another caller's statements): a FIFO lock stands in for the pool's
// connections. A checkout that waits longer than a real pool's
// connectionTimeoutMillis fails the same way, so a leaked client shows up as
// an error, never as a hang.
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Database, PooledClient, PoolCounters, QueryResult } from './postgres-types.ts';

const CHECKOUT_TIMEOUT_MS = 3_000;

export interface DataDirCache {
  read(): Blob | undefined;
  write(dump: Blob): Promise<void>;
}

export interface PgliteSession {
  openSchema(schema: string): Promise<{ database: Database & PoolCounters; close(): Promise<void> }>;
  close(): Promise<void>;
}

class SessionLock {
  private held = false;
  private readonly waiting: Array<() => void> = [];

  get isHeld(): boolean {
    return this.held;
  }

  get queueLength(): number {
    return this.waiting.length;
  }

  acquire(timeoutMs: number): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(
          new Error(
            `timeout exceeded when trying to connect: waited ${timeoutMs} ms for the embedded database ` +
              '(it has one connection: is a client still checked out and never released?)',
          ),
        );
      }, timeoutMs);
      this.waiting.push(waiter);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    // Hand the lock straight to the next waiter, in arrival order.
    if (next) next();
    else this.held = false;
  }
}

export interface PgliteSettings {
  /**
   * PostgreSQL's shared_buffers inside the WebAssembly heap (PGlite's default
   * 128MB). Pages it touches stay resident: a long-running process with a
   * small data set (the reference server) saves ≈ 130 MB of RSS at 16MB.
   */
  sharedBuffers?: string;
}

export async function createPgliteSession(cache: DataDirCache, settings: PgliteSettings = {}): Promise<PgliteSession> {
  const pglite = await start(cache, settings);
  const lock = new SessionLock();
  let holder: { released: boolean } | undefined;

  const run = async <Row,>(text: string, params?: unknown[]): Promise<QueryResult<Row>> => {
    const result = await pglite.query<Row>(text, params ?? []);
    // node-postgres reports rows returned for SELECT and rows changed for writes.
    return { rows: result.rows, rowCount: result.affectedRows ? result.affectedRows : result.rows.length };
  };

  return {
    async openSchema(schema) {
      await lock.acquire(CHECKOUT_TIMEOUT_MS);
      try {
        await pglite.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}, public`);
      } finally {
        lock.release();
      }
      const database: Database & PoolCounters = {
        async query<Row>(text: string, params?: unknown[]) {
          await lock.acquire(CHECKOUT_TIMEOUT_MS);
          try {
            return await run<Row>(text, params);
          } finally {
            lock.release();
          }
        },
        async connect(): Promise<PooledClient> {
          await lock.acquire(CHECKOUT_TIMEOUT_MS);
          const client = { released: false };
          holder = client;
          return {
            query: <Row,>(text: string, params?: unknown[]) => {
              if (client.released) return Promise.reject(new Error('Client was released to the pool; check out another'));
              return run<Row>(text, params);
            },
            release(error?: Error | boolean) {
              if (client.released) throw new Error('Release called on client which has already been released to the pool.');
              client.released = true;
              holder = undefined;
              if (!error) {
                lock.release();
                return;
              }
              // pg.Pool closes a connection released with an error, which ends its
              // transaction; the one embedded session is rolled back instead.
              pglite.exec('ROLLBACK').catch(() => {}).finally(() => lock.release());
            },
          };
        },
        totalCount: 1,
        get idleCount() {
          return lock.isHeld ? 0 : 1;
        },
        get waitingCount() {
          return lock.queueLength;
        },
      };
      return {
        database,
        async close() {
          // A client the code under test never released still holds the session,
          // maybe inside a transaction: end it, and take the session back.
          if (holder) {
            holder.released = true;
            holder = undefined;
            lock.release();
          }
          await lock.acquire(CHECKOUT_TIMEOUT_MS);
          try {
            // Ends a transaction left open by a client released without an error.
            await pglite.exec('ROLLBACK');
            await pglite.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; SET search_path TO public`);
          } finally {
            lock.release();
          }
        },
      };
    },
    close: () => pglite.close(),
  };
}

async function start(cache: DataDirCache, settings: PgliteSettings): Promise<PGlite> {
  const startParams = settings.sharedBuffers ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${settings.sharedBuffers}`] } : {};
  const dump = cache.read();
  if (dump) {
    try {
      return await PGlite.create({ extensions: { pg_trgm }, loadDataDir: dump, ...startParams });
    } catch {
      // A damaged cache: start fresh and write a new one.
    }
  }
  const pglite = await PGlite.create({ extensions: { pg_trgm }, ...startParams });
  await pglite.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  try {
    await cache.write(await pglite.dumpDataDir('none'));
  } catch {
    // Only a speed-up: without the cache the next start runs initdb again.
  }
  return pglite;
}
