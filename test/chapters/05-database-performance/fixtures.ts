// The tables chapter 5's code works on (workbook/backends/schema.ts), and rows to fill them with.
import type { Queryable } from '../../../workbook/backends/postgres-types.ts';
import { TABLES_SQL } from '../../../workbook/backends/schema.ts';
import { randomToken } from '../../support/random.ts';

export async function createTables(db: Queryable): Promise<void> {
  for (const statement of TABLES_SQL) await db.query(statement);
}

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];

/**
 * `count` users with ids 1..count: alice…0, bob…1, carol…2, each with three
 * random letters before its number (so no code can know the names in
 * advance) and an address at example.com. User 1 is the newest. Returns the
 * usernames, index i holding user i + 1's.
 */
export async function seedUsers(db: Queryable, count: number, random: () => number = Math.random): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${NAMES[i % NAMES.length]}${randomToken(random, 3)}${i}`);
  await db.query(
    `INSERT INTO users (id, username, email, created_at)
     SELECT position, name, name || '@example.com', now() - make_interval(secs => position)
     FROM unnest($1::text[]) WITH ORDINALITY AS input(name, position)`,
    [names],
  );
  // The ids were given explicitly: move the sequence past them for later inserts.
  await db.query("SELECT setval(pg_get_serial_sequence('users', 'id'), $1)", [Math.max(count, 1)]);
  return names;
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]!.n;
}
