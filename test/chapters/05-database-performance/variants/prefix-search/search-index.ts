// Indexes that searchUsers can use, and a way to read a query plan that never
// runs the statement it explains.
import type { Queryable } from './pool.ts';

// #region trigram
/**
 * `ILIKE '%term%'` has no fixed prefix, so a B-tree (sorted by the whole
 * string) cannot narrow it down: every row is read. A trigram GIN index
 * indexes every three-letter piece of the text, so it can.
 */
export async function createSearchIndexes(db: Queryable): Promise<void> {
  await db.query('CREATE INDEX IF NOT EXISTS users_username_prefix ON users (lower(username) text_pattern_ops)');
  await db.query('CREATE INDEX IF NOT EXISTS users_email_prefix ON users (lower(email) text_pattern_ops)');
}
// #endregion trigram

// #region explain
/**
 * The plan PostgreSQL would use for `text`, as lines of text. Plain EXPLAIN
 * plans without running: EXPLAIN ANALYZE executes the statement, so explaining
 * a DELETE with it deletes. The statement's values stay parameters.
 */
export async function explainQuery(db: Queryable, text: string, params: unknown[] = []): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}
// #endregion explain
