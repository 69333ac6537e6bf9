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
 * Insert every row in one statement: the rows travel as two arrays and
 * unnest() turns them back into rows inside the server. RETURNING gives rows
 * in no documented order, so the statement returns each new id with its
 * username (unique), joins back to the input, and orders by the input's
 * position. One statement is atomic on its own; the transaction is there so
 * callers can add more statements that must commit with it.
 */
export async function insertUsers(db: Database, users: readonly NewUser[]): Promise<number[]> {
  if (users.length === 0) return [];
  return withTransaction(db, async (client) => {
    const { rows } = await client.query<{ id: number }>(
      `WITH input AS (
         SELECT username, email, position
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS input(username, email, position)
       ), inserted AS (
         INSERT INTO users (username, email)
         SELECT username, email FROM input
         RETURNING id, username
       )
       SELECT inserted.id
       FROM inserted JOIN input USING (username)
       ORDER BY input.position`,
      [users.map((u) => u.username), users.map((u) => u.email)],
    );
    return rows.map((row) => row.id);
  });
}
// #endregion batch-insert

// #region search
export const SEARCH_LIMIT = 20;

/** LIKE treats % and _ as wildcards: a search for "50%" must match the text "50%". */
function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Quotes doubled, LIKE wildcards escaped: "safe" string building. */
function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Users whose username or email contains `term`, newest first. */
export async function searchUsers(db: Queryable, term: string, limit = SEARCH_LIMIT): Promise<User[]> {
  const pattern = quoteLiteral(`%${escapeLike(term)}%`);
  const { rows } = await db.query<User>(
    `SELECT id, username, email
     FROM users
     WHERE username ILIKE ${pattern} OR email ILIKE ${pattern}
     ORDER BY created_at DESC, id DESC
     LIMIT ${Math.min(Math.max(1, Math.trunc(limit)), 100)}`,
  );
  return rows;
}
// #endregion search
