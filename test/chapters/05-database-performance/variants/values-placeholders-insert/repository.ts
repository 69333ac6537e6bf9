// Reads and writes of the users table, each in as few round trips as the
// work allows: one query for many ids, one statement for many rows, and
// search terms that travel as parameters, never as SQL.
import { withTransaction, type Database, type Queryable } from './pool.ts';

export interface User {
  id: number;
  username: string;
  email: string;
}

export interface NewUser {
  username: string;
  email: string;
}

// #region by-ids
/** Load many users at once: one round trip whatever the number of ids. */
export async function usersByIds(db: Queryable, ids: readonly number[]): Promise<Map<number, User>> {
  const found = new Map<number, User>();
  if (ids.length === 0) return found;
  const { rows } = await db.query<User>('SELECT id, username, email FROM users WHERE id = ANY($1::int[])', [
    [...new Set(ids)],
  ]);
  for (const user of rows) found.set(user.id, user);
  return found;
}
// #endregion by-ids

// #region batch-insert
/**
 * Insert every row in one multi-row VALUES statement, two placeholders a row.
 * RETURNING's order is not promised, so map the ids back by username.
 */
export async function insertUsers(db: Database, users: readonly NewUser[]): Promise<number[]> {
  if (users.length === 0) return [];
  return withTransaction(db, async (client) => {
    const values = users.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
    const { rows } = await client.query<{ id: number; username: string }>(
      `INSERT INTO users (username, email) VALUES ${values} RETURNING id, username`,
      users.flatMap((u) => [u.username, u.email]),
    );
    const idOf = new Map(rows.map((row) => [row.username, row.id]));
    return users.map((u) => idOf.get(u.username)!);
  });
}
// #endregion batch-insert

// #region search
export const SEARCH_LIMIT = 20;

/** LIKE treats % and _ as wildcards: a search for "50%" must match the text "50%". */
function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Users whose username or email contains `term`, newest first. */
export async function searchUsers(db: Queryable, term: string, limit = SEARCH_LIMIT): Promise<User[]> {
  const { rows } = await db.query<User>(
    `SELECT id, username, email
     FROM users
     WHERE username ILIKE $1 OR email ILIKE $1
     ORDER BY created_at DESC, id DESC
     LIMIT $2`,
    [`%${escapeLike(term)}%`, Math.min(Math.max(1, Math.trunc(limit)), 100)],
  );
  return rows;
}
// #endregion search
