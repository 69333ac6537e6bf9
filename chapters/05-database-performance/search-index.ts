// Indexes for searchUsers, and a way to read a query plan.
import type { Queryable } from './pool.ts';

// #region trigram
/** Index the columns searchUsers filters on. */
export async function createSearchIndexes(db: Queryable): Promise<void> {
  await db.query('CREATE INDEX IF NOT EXISTS users_username_idx ON users (username)');
  await db.query('CREATE INDEX IF NOT EXISTS users_email_idx ON users (email)');
}
// #endregion trigram

// #region explain
/** The plan PostgreSQL uses for `text`, with real timings, as lines of text. */
export async function explainQuery(db: Queryable, text: string, params: unknown[] = []): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}
// #endregion explain
