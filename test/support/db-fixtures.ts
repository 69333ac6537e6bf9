// The tables chapter 5's code works on, and rows to fill them with.
import type { Queryable } from './db-types.ts';

// #region tables
export const TABLES_SQL = [
  `CREATE TABLE users (
     id serial PRIMARY KEY,
     username text NOT NULL UNIQUE,
     email text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE documents (
     id serial PRIMARY KEY,
     content text NOT NULL,
     version integer NOT NULL DEFAULT 1
   )`,
];
// #endregion tables

export async function createTables(db: Queryable): Promise<void> {
  for (const statement of TABLES_SQL) await db.query(statement);
}

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];

/** `count` users: alice0, bob1, carol2… with addresses at example.com; ids 1..count. */
export async function seedUsers(db: Queryable, count: number): Promise<void> {
  await db.query(
    `INSERT INTO users (username, email, created_at)
     SELECT name, name || '@example.com', now() - make_interval(secs => position)
     FROM unnest($1::text[]) WITH ORDINALITY AS input(name, position)
     ORDER BY position`,
    [Array.from({ length: count }, (_, i) => `${NAMES[i % NAMES.length]}${i}`)],
  );
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]!.n;
}
