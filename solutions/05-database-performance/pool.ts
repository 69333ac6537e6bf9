// The connection pool, and the one way to borrow a client from it: a client
// goes back in `finally`, on success and on error alike.
import type pg from 'pg';

// #region interface
/** A result as both node-postgres and the embedded PGlite adapter return it. */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

/** Anything that runs a parameterised statement: a pool, or a client borrowed from one. */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

/** A client checked out of the pool. It must go back: release() it exactly once. */
export interface PooledClient extends Queryable {
  /** Pass an error to throw the connection away instead of reusing it. */
  release(error?: Error | boolean): void;
}

/** What the code in this chapter is given: a pg.Pool, or an adapter with its shape. */
export interface Database extends Queryable {
  connect(): Promise<PooledClient>;
}
// #endregion interface

/** The counters pg.Pool keeps (the embedded adapter keeps the same ones). */
export interface PoolCounters {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export interface PoolStats {
  total: number;
  idle: number;
  active: number;
  waiting: number;
}

// #region config
/**
 * Sized and bounded like the guide's sqlx pool. node-postgres's defaults are
 * not safe: connectionTimeoutMillis 0 means a checkout waits forever when every
 * client is busy, so one leak or one stuck query stalls every request behind it.
 */
export function poolConfig(connectionString: string, max = 10): pg.PoolConfig {
  return {
    connectionString,
    max,
    // Keep a quarter of the pool open through quiet spells (the guide's
    // min_connections). pg-pool opens clients on demand and keeps this many
    // from being closed as idle; it does not open them in advance.
    min: Math.floor(max / 4),
    // Give up on a checkout after 3 s and fail the request, instead of queueing forever.
    connectionTimeoutMillis: 3_000,
    // Close connections idle for 10 minutes; the pool reopens them on demand.
    idleTimeoutMillis: 600_000,
    // Recycle every connection after 30 minutes (server-side memory, failovers).
    maxLifetimeSeconds: 1_800,
  };
}
// #endregion config

export function poolStats(pool: PoolCounters): PoolStats {
  return {
    total: pool.totalCount,
    idle: pool.idleCount,
    active: pool.totalCount - pool.idleCount,
    waiting: pool.waitingCount,
  };
}

// #region transaction
/**
 * Run `work` in a transaction on one dedicated client. Commit on success; on
 * any error roll back and rethrow. Either way the client goes back to the pool.
 */
export async function withTransaction<T>(db: Database, work: (client: Queryable) => Promise<T>): Promise<T> {
  const client = await db.connect();
  // Set when ROLLBACK itself fails: that connection is in an unknown state.
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    // Destroy a broken connection rather than hand it to the next caller.
    client.release(broken);
  }
}
// #endregion transaction
