// The connection pool and a transaction helper. They work, until a query fails.
// Read lesson.mdx beside this file, then run: npm run chapter 5
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
export function poolConfig(connectionString: string, max = 10): pg.PoolConfig {
  return { connectionString, max };
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
/** Run `work` in a transaction on one dedicated client. */
export async function withTransaction<T>(db: Database, work: (client: Queryable) => Promise<T>): Promise<T> {
  const client = await db.connect();
  await client.query('BEGIN');
  const result = await work(client);
  await client.query('COMMIT');
  client.release();
  return result;
}
// #endregion transaction
