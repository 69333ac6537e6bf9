// Indexes that searchUsers can use, and a way to read a query plan that never
// runs the statement it explains.
import type { Database, Queryable } from './pool.ts';

// #region trigram
/**
 * `ILIKE '%term%'` has no fixed prefix, so a B-tree (sorted by the whole
 * string) cannot narrow it down: every row is read. A trigram GIN index
 * indexes every three-letter piece of the text, so it can.
 */
export async function createSearchIndexes(db: Queryable): Promise<void> {
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await db.query('CREATE INDEX IF NOT EXISTS users_username_trgm ON users USING gin (username gin_trgm_ops)');
  await db.query('CREATE INDEX IF NOT EXISTS users_email_trgm ON users USING gin (email gin_trgm_ops)');
}
// #endregion trigram

// #region explain
/**
 * The plan with real timings: EXPLAIN ANALYZE runs the statement, so it runs
 * on a client of its own inside a transaction that is always rolled back.
 */
export async function explainQuery(db: Queryable, text: string, params: unknown[] = []): Promise<string> {
  if (!('connect' in db)) throw new Error('explainQuery needs a pool, to run EXPLAIN ANALYZE in a transaction of its own');
  const client = await (db as Database).connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}
// #endregion explain
