// Reads and writes of the users table.
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
/** Load many users at once. */
export async function usersByIds(db: Queryable, ids: readonly number[]): Promise<Map<number, User>> {
  const found = new Map<number, User>();
  for (const id of ids) {
    const { rows } = await db.query<User>('SELECT id, username, email FROM users WHERE id = $1', [id]);
    if (rows[0]) found.set(id, rows[0]);
  }
  return found;
}
// #endregion by-ids

// #region batch-insert
/** Insert a batch of users in one transaction. Returns the new ids in input order. */
export async function insertUsers(db: Database, users: readonly NewUser[]): Promise<number[]> {
  return withTransaction(db, async (client) => {
    const ids: number[] = [];
    for (const user of users) {
      const { rows } = await client.query<{ id: number }>(
        'INSERT INTO users (username, email) VALUES ($1, $2) RETURNING id',
        [user.username, user.email],
      );
      ids.push(rows[0]!.id);
    }
    return ids;
  });
}
// #endregion batch-insert

// #region search
export const SEARCH_LIMIT = 20;

/** Users whose username or email contains `term`, newest first. */
export async function searchUsers(db: Queryable, term: string, limit = SEARCH_LIMIT): Promise<User[]> {
  const { rows } = await db.query<User>(
    `SELECT id, username, email
     FROM users
     WHERE username ILIKE '%${term}%' OR email ILIKE '%${term}%'
     ORDER BY created_at DESC, id DESC
     LIMIT ${limit}`,
  );
  return rows;
}
// #endregion search
