import { afterAll, expect } from 'vitest';
import { defineChecks } from '../../workbook/check.ts';
import { closeEmbedded, databaseMode, openTestDatabase, warmUp, type TestDatabase } from '../support/db.ts';
import { isTransactionControl } from '../support/db-counting.ts';
import { countUsers, createTables, seedUsers } from '../support/db-fixtures.ts';
import { explainWithoutSeqScans } from '../support/db-explain.ts';

type PoolModule = typeof import('../../solutions/05-database-performance/pool.ts');
type MetricsModule = typeof import('../../solutions/05-database-performance/query-metrics.ts');
type RepositoryModule = typeof import('../../solutions/05-database-performance/repository.ts');
type SearchIndexModule = typeof import('../../solutions/05-database-performance/search-index.ts');
type OptimisticModule = typeof import('../../solutions/05-database-performance/optimistic.ts');

// PGlite starts while the learner's files load.
warmUp();

const { check, subject } = defineChecks(5);
const pool = await subject<PoolModule>('pool.ts');
const { createQueryMetrics } = await subject<MetricsModule>('query-metrics.ts');
const repository = await subject<RepositoryModule>('repository.ts');
const searchIndex = await subject<SearchIndexModule>('search-index.ts');
const optimistic = await subject<OptimisticModule>('optimistic.ts');

afterAll(closeEmbedded);

/** The first check to open the database also starts PGlite (about 1 s cached, 4 s the first time). */
const DB_CHECK = { timeout: 30_000 };

/** A fresh schema with the chapter's tables, counting from zero, dropped afterwards. */
async function withDatabase(work: (t: TestDatabase) => Promise<void>, seed = 0): Promise<void> {
  const t = await openTestDatabase();
  try {
    await createTables(t.admin);
    if (seed > 0) await seedUsers(t.admin, seed);
    t.db.reset();
    await work(t);
  } catch (error) {
    // The check's own failure is the one to report, not a cleanup error after it.
    await t.close().catch(() => {});
    throw error;
  }
  await t.close();
}

const seededName = (id: number) =>
  `${['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'][(id - 1) % 10]}${id - 1}`;

check('pool-configured', async () => {
  const url = 'postgres://app@127.0.0.1:5432/app';
  const config = pool.poolConfig(url, 4);
  expect(config.connectionString).toBe(url);
  expect(config.max, 'poolConfig(url, max) should size the pool with max').toBe(4);
  expect(
    config.connectionTimeoutMillis ?? 0,
    'connectionTimeoutMillis is unset or 0: node-postgres then waits forever for a free client',
  ).toBeGreaterThan(0);
  expect(config.connectionTimeoutMillis, 'a checkout should give up within 10 s').toBeLessThanOrEqual(10_000);
  expect(config.idleTimeoutMillis ?? 0, 'idleTimeoutMillis should close idle clients (0 keeps them forever)').toBeGreaterThan(0);

  await withDatabase(async ({ db }) => {
    const client = await db.connect();
    try {
      const busy = pool.poolStats(db);
      expect(busy.active, 'one client is checked out').toBe(1);
      expect(busy.total).toBe(busy.idle + busy.active);
      expect(busy.waiting).toBe(0);
    } finally {
      client.release();
    }
    expect(pool.poolStats(db).active, 'the client went back').toBe(0);
  });

  if (databaseMode() === 'postgres') {
    // The learner's configuration opens a real pg.Pool that answers.
    const pg = (await import('pg')).default;
    const real = new pg.Pool(pool.poolConfig(process.env.DATABASE_URL!, 2));
    try {
      expect((await real.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await real.end();
    }
  }
}, DB_CHECK);

check('releases-on-error', async () => {
  await withDatabase(async ({ db, admin }) => {
    const failure = new Error('the work failed half way');
    await expect(
      pool.withTransaction(db, async (client) => {
        await client.query("INSERT INTO documents (content) VALUES ('half done')");
        throw failure;
      }),
      'withTransaction should rethrow the error from the work',
    ).rejects.toBe(failure);
    expect(
      db.counts.outstanding,
      `a client was checked out and never released (${db.counts.checkouts} checkouts, ${db.counts.releases} releases): release it in finally`,
    ).toBe(0);
    const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM documents');
    expect(rows[0]!.n, 'the insert before the error must be rolled back').toBe(0);

    await expect(pool.withTransaction(db, (client) => client.query('SELECT * FROM no_such_table'))).rejects.toThrow();
    expect(db.counts.outstanding, 'a failing query must not keep the client either').toBe(0);

    await pool.withTransaction(db, (client) => client.query("INSERT INTO documents (content) VALUES ('kept')"));
    const after = await admin.query<{ content: string }>('SELECT content FROM documents');
    expect(after.rows, 'a transaction whose work succeeds commits').toEqual([{ content: 'kept' }]);
    expect(db.counts.checkouts).toBe(db.counts.releases);
  });
}, DB_CHECK);

check('logs-slow-queries', async () => {
  await withDatabase(async ({ db }) => {
    const slow: Array<{ name: string; ms: number }> = [];
    const metrics = createQueryMetrics({ logSlow: (name, ms) => slow.push({ name, ms }) });
    const result = await metrics.timed('sleepy', () => db.query('SELECT pg_sleep(0.15) AS slept'));
    expect(result.rows.length, 'timed() should return the query result').toBe(1);
    expect(slow.map((s) => s.name), 'the 150 ms query should be logged, once').toEqual(['sleepy']);
    expect(slow[0]!.ms, 'the logged time should be the awaited query (150 ms)').toBeGreaterThanOrEqual(140);
    expect(metrics.snapshot('sleepy')).toMatchObject({ count: 1, slow: 1 });
    expect(metrics.snapshot('sleepy')!.maxMs).toBeGreaterThanOrEqual(140);
    // A sub-millisecond query is not slow. Three of them, so one scheduling
    // hiccup on a busy machine cannot fail a correct threshold.
    for (let i = 0; i < 3; i++) await metrics.timed('ping', () => db.query('SELECT 1'));
    expect(metrics.snapshot('ping')?.count).toBe(3);
    expect(metrics.snapshot('ping')!.slow, 'fast queries should not be logged as slow').toBeLessThan(3);
    expect(metrics.snapshot('never-ran')).toBeUndefined();
    await expect(metrics.timed('broken', () => db.query('SELECT * FROM no_such_table'))).rejects.toThrow();
    expect(metrics.snapshot('broken')?.count, 'a failed query is timed too').toBe(1);
  });
}, DB_CHECK);

check('loads-in-one-query', async () => {
  await withDatabase(async ({ db }) => {
    const ids = [5, 1, 40, 999, 5, 17];
    const found = await repository.usersByIds(db, ids);
    expect(
      db.counts.roundTrips,
      `usersByIds made ${db.counts.roundTrips} round trips for ${ids.length} ids: send them all in one query`,
    ).toBeLessThanOrEqual(1);
    expect([...found.keys()].sort((a, b) => a - b), 'every existing id, once; 999 does not exist').toEqual([1, 5, 17, 40]);
    for (const id of [1, 5, 17, 40]) expect(found.get(id)).toEqual({ id, username: seededName(id), email: `${seededName(id)}@example.com` });

    db.reset();
    const many = Array.from({ length: 100 }, (_, i) => i + 1);
    expect((await repository.usersByIds(db, many)).size).toBe(40);
    expect(db.counts.roundTrips, 'still one round trip for 100 ids').toBeLessThanOrEqual(1);
  }, 40);
}, DB_CHECK);

const newUsers = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => ({ username: `${prefix}${i}`, email: `${prefix}${i}@example.org` }));

check('batch-insert-one-statement', async () => {
  await withDatabase(async ({ db, admin }) => {
    const batch = newUsers(50, 'new');
    const ids = await repository.insertUsers(db, batch);
    const statements = db.counts.statements.filter((s) => !isTransactionControl(s.text)).length;
    expect(statements, `${statements} statements for 50 rows: send them as arrays in one INSERT … SELECT FROM unnest(…)`).toBe(1);
    expect(ids.length).toBe(50);
    const { rows } = await admin.query<{ id: number; username: string }>('SELECT id, username FROM users');
    const byId = new Map(rows.map((r) => [r.id, r.username]));
    expect(
      ids.map((id) => byId.get(id)),
      'insertUsers should return the new ids in the order of its input',
    ).toEqual(batch.map((u) => u.username));
    expect(db.counts.outstanding).toBe(0);
  });
}, DB_CHECK);

check('batch-insert-atomic', async () => {
  await withDatabase(async ({ db, admin }) => {
    // bob1 exists already: the third row violates the unique username.
    const batch = [...newUsers(2, 'fresh'), { username: 'bob1', email: 'again@example.org' }, ...newUsers(2, 'late')];
    await expect(repository.insertUsers(db, batch), 'a batch with a duplicate username should fail').rejects.toThrow();
    expect(
      db.counts.outstanding,
      'the failed batch left its client checked out: the transaction must roll back and release in finally',
    ).toBe(0);
    expect(await countUsers(admin), 'a failed batch must leave nothing behind').toBe(3);
  }, 3);
}, DB_CHECK);

check('injection-safe', async () => {
  await withDatabase(async ({ db, admin }) => {
    const hostile = [`' OR '1'='1' --`, `%' OR 1=1 --`, `x' OR 'x'='x`];
    for (const term of hostile) {
      const rows = await repository.searchUsers(db, term);
      expect(rows, `searching for ${JSON.stringify(term)} matched ${rows.length} users: the term became SQL`).toEqual([]);
    }
    for (const wildcard of ['%', '_']) {
      const rows = await repository.searchUsers(db, wildcard);
      expect(rows, `searching for ${JSON.stringify(wildcard)} should match names containing it literally: escape LIKE wildcards`).toEqual([]);
    }
    let dropError: unknown;
    const dropped = await repository.searchUsers(db, `'; DROP TABLE users; --`).catch((error: unknown) => {
      dropError = error;
      return undefined;
    });
    expect(await countUsers(admin), 'the users table must survive a search').toBe(30);
    expect(dropError, 'a search term is data: it must not reach the parser').toBeUndefined();
    expect(dropped).toEqual([]);

    const alices = await repository.searchUsers(db, 'ALICE');
    expect(alices.map((u) => u.username), 'a real term still matches, ignoring case, newest first').toEqual(['alice0', 'alice10', 'alice20']);
    expect((await repository.searchUsers(db, 'example', 5)).length, 'limit is respected').toBe(5);
  }, 30);
}, DB_CHECK);

check('search-uses-index', async () => {
  await withDatabase(async ({ db, admin }) => {
    await searchIndex.createSearchIndexes(db);
    db.reset();
    expect((await repository.searchUsers(db, 'grace')).length).toBeGreaterThan(0);
    const search = db.counts.statements.filter((s) => !isTransactionControl(s.text)).at(-1)!;
    const plan = await explainWithoutSeqScans(admin, search.text, search.params);
    expect(
      plan,
      'with sequential scans disabled the plan still reads every row, so no index can serve ILIKE \'%term%\' ' +
        '(a B-tree needs a fixed prefix). Plan:\n' + plan,
    ).toMatch(/Index Cond:.*(~~|@@|%|~\*)/);
  }, 200);
}, DB_CHECK);

check('explain-no-side-effects', async () => {
  await withDatabase(async ({ db, admin }) => {
    const plan = await searchIndex.explainQuery(db, 'DELETE FROM users WHERE id = $1', [3]);
    expect(plan, 'explainQuery should return the plan as text').toMatch(/Delete on users/);
    expect(await countUsers(admin), 'explaining a DELETE deleted a row: EXPLAIN ANALYZE runs the statement').toBe(5);
    expect(await searchIndex.explainQuery(db, 'SELECT * FROM users WHERE username = $1', ['bob1'])).toMatch(/users/);
  }, 5);
}, DB_CHECK);

async function newDocument(admin: TestDatabase['admin'], content: string): Promise<number> {
  const { rows } = await admin.query<{ id: number }>('INSERT INTO documents (content) VALUES ($1) RETURNING id', [content]);
  return rows[0]!.id;
}

async function readDocument(admin: TestDatabase['admin'], id: number) {
  const { rows } = await admin.query<{ content: string; version: number }>('SELECT content, version FROM documents WHERE id = $1', [id]);
  return rows[0]!;
}

check('detects-conflicts', async () => {
  await withDatabase(async ({ db, admin }) => {
    const id = await newDocument(admin, 'first');
    expect(await optimistic.updateWithVersion(db, id, 1, 'second'), 'the row is at version 1').toBe(true);
    expect(await optimistic.updateWithVersion(db, id, 1, 'stale write'), 'version 1 is gone: this write must lose').toBe(false);
    expect(await readDocument(admin, id)).toEqual({ content: 'second', version: 2 });
  });
}, DB_CHECK);

check('no-lost-updates', async () => {
  await withDatabase(async ({ db, admin }) => {
    const id = await newDocument(admin, '');
    const editors = 50;
    await Promise.all(Array.from({ length: editors }, (_, i) => optimistic.editDocument(db, id, (content) => `${content}[${i}]`)));
    const final = await readDocument(admin, id);
    const kept = new Set(final.content.match(/\[\d+\]/g) ?? []);
    expect(kept.size, `${editors - kept.size} of ${editors} concurrent edits were lost (last write wins)`).toBe(editors);
    expect(final.content.length, 'each edit applied exactly once').toBe([...kept].join('').length);
    expect(final.version, 'one version per edit').toBe(1 + editors);
    expect(db.counts.outstanding).toBe(0);
  });
}, { timeout: 30_000 });
