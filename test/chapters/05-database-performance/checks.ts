import { afterAll, expect } from 'vitest';
import { defineChecks } from '../../../workbook/authoring/define-checks.ts';
import { closeEmbedded, databaseMode, openTestDatabase, warmUp, type TestDatabase } from '../../../workbook/backends/postgres.ts';
import { isTransactionControl } from '../../../workbook/backends/postgres-counting.ts';
import { countUsers, createTables, seedUsers } from './fixtures.ts';
import { explainPlan } from './explain.ts';
import { randomInt, randomToken, runRandom, runSeed, shuffled } from '../../support/random.ts';

type PoolModule = typeof import('../../../solutions/05-database-performance/pool.ts');
type MetricsModule = typeof import('../../../solutions/05-database-performance/query-metrics.ts');
type RepositoryModule = typeof import('../../../solutions/05-database-performance/repository.ts');
type SearchIndexModule = typeof import('../../../solutions/05-database-performance/search-index.ts');
type OptimisticModule = typeof import('../../../solutions/05-database-performance/optimistic.ts');

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

/** Names, ids and terms drawn for this run, so no code can be fitted to them. */
const random = runRandom(5);
const seed = `(seed ${runSeed}; WORKBOOK_SEED=${runSeed} replays it)`;

/**
 * A fresh schema with the chapter's tables, counting from zero, dropped
 * afterwards. `work` gets the seeded usernames: index i is user i + 1's.
 */
async function withDatabase(work: (t: TestDatabase, users: string[]) => Promise<void>, seedCount = 0): Promise<void> {
  const t = await openTestDatabase();
  try {
    await createTables(t.admin);
    const users = seedCount > 0 ? await seedUsers(t.admin, seedCount, random) : [];
    t.db.reset();
    await work(t, users);
  } catch (error) {
    // The check's own failure is the one to report, not a cleanup error after it.
    await t.close().catch(() => {});
    throw error;
  }
  await t.close();
}

const userRow = (users: string[], id: number) => ({ id, username: users[id - 1]!, email: `${users[id - 1]!}@example.com` });
/** The statements that were not BEGIN/COMMIT/ROLLBACK. */
const dataStatements = (db: TestDatabase['db']) => db.counts.statements.filter((s) => !isTransactionControl(s.text));

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

  if (databaseMode() === 'real') {
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

const FAILED_TRANSACTIONS = 10;

check('releases-on-error', async ({ report }) => {
  await withDatabase(async ({ db, admin }) => {
    // A pool of 10 with 10 leaked clients serves nobody: count what failures keep.
    let leaked = 0;
    for (let i = 0; i < FAILED_TRANSACTIONS; i++) {
      await pool
        .withTransaction(db, async (client) => {
          await client.query('SELECT 1');
          throw new Error('the work failed');
        })
        .catch(() => {});
      leaked += db.counts.outstanding;
      // Give back what the code under test kept, so the next attempt can check out.
      db.releaseLeaked();
    }
    report({ id: 'leaked-clients', value: leaked, detail: `after ${FAILED_TRANSACTIONS} transactions whose work threw` });
    expect(leaked, `${leaked} of ${FAILED_TRANSACTIONS} failed transactions kept their client`).toBe(0);
    db.reset();

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

check('loads-in-one-query', async ({ report }) => {
  await withDatabase(async ({ db, admin }, users) => {
    // Existing ids in no order, some twice, and ids that do not exist.
    const wanted = shuffled(random, users.map((_, i) => i + 1)).slice(0, randomInt(random, 120, 170));
    const missing = [users.length + randomInt(random, 1, 50), users.length + randomInt(random, 100, 900)];
    const ids = shuffled(random, [...wanted, ...wanted.slice(0, 7), ...missing]);
    const found = await repository.usersByIds(db, ids);
    report({ id: 'lookup-round-trips', value: db.counts.roundTrips, detail: `one load of ${ids.length} ids (${wanted.length} distinct that exist)` });
    expect(
      db.counts.roundTrips,
      `usersByIds made ${db.counts.roundTrips} round trips for ${ids.length} ids: send them all in one query`,
    ).toBe(1);
    expect([...found.keys()].sort((a, b) => a - b), `every existing id, once; ${missing.join(' and ')} do not exist ${seed}`).toEqual(
      [...wanted].sort((a, b) => a - b),
    );
    for (const id of wanted) expect(found.get(id), `user ${id} ${seed}`).toEqual(userRow(users, id));

    // The row changes between two calls: the second must read it again.
    const changed = wanted[randomInt(random, 0, wanted.length - 1)]!;
    const renamed = `renamed${randomToken(random, 6)}`;
    await admin.query('UPDATE users SET username = $1, email = $2 WHERE id = $3', [renamed, `${renamed}@example.org`, changed]);
    db.reset();
    const again = await repository.usersByIds(db, [changed, wanted[0]!, missing[0]!]);
    expect(db.counts.roundTrips, 'a second call must ask the database again: a memo that never forgets serves old rows').toBe(1);
    expect(again.get(changed), `user ${changed} was renamed between the two calls`).toEqual({
      id: changed,
      username: renamed,
      email: `${renamed}@example.org`,
    });

    db.reset();
    expect((await repository.usersByIds(db, [])).size, 'no ids, no users').toBe(0);
    expect(db.counts.roundTrips, 'no ids need no query').toBe(0);
  }, 200);
}, DB_CHECK);

const newUsers = (count: number) =>
  Array.from({ length: count }, () => {
    const name = `new${randomToken(random, 8)}`;
    return { username: name, email: `${name}@example.org` };
  });

check('batch-insert-one-statement', async ({ report }) => {
  await withDatabase(async ({ db, admin }) => {
    const batch = newUsers(randomInt(random, 40, 90));
    const ids = await repository.insertUsers(db, batch);
    report({
      id: 'batch-insert-round-trips',
      value: db.counts.roundTrips,
      detail: `${batch.length} rows: ${dataStatements(db).length} statements + ${db.counts.roundTrips - dataStatements(db).length} BEGIN/COMMIT`,
    });
    const statements = dataStatements(db).length;
    expect(statements, `${statements} statements for ${batch.length} rows: send them as arrays in one INSERT … SELECT FROM unnest(…)`).toBe(1);
    expect(ids.length).toBe(batch.length);
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
  await withDatabase(async ({ db, admin }, users) => {
    // One name already exists: that row violates the unique username.
    const taken = users[randomInt(random, 0, users.length - 1)]!;
    const batch = [...newUsers(randomInt(random, 1, 4)), { username: taken, email: 'again@example.org' }, ...newUsers(2)];
    await expect(repository.insertUsers(db, batch), `a batch with a duplicate username (${taken}) should fail`).rejects.toThrow();
    expect(
      db.counts.outstanding,
      'the failed batch left its client checked out: the transaction must roll back and release in finally',
    ).toBe(0);
    expect(await countUsers(admin), 'a failed batch must leave nothing behind').toBe(users.length);
  }, 3);
}, DB_CHECK);

/** Hostile terms, each carrying a token drawn for this run, so its way into the database can be traced. */
const HOSTILE = [
  (token: string) => `${token}' OR '1'='1' --`,
  (token: string) => `%${token}' OR 1=1 --`,
  (token: string) => `x' OR 'x'='x ${token}`,
  (token: string) => `'; DROP TABLE users; -- ${token}`,
  (token: string) => `${token}\\' OR true --`,
];

check('injection-safe', async () => {
  await withDatabase(async ({ db, admin }, users) => {
    for (const hostile of HOSTILE) {
      const token = randomToken(random, 10);
      const term = hostile(token);
      db.reset();
      let failure: unknown;
      const rows = await repository.searchUsers(db, term).catch((error: unknown) => {
        failure = error;
        return undefined;
      });
      expect(failure, `searching for ${JSON.stringify(term)} threw: a search term is data, it must not reach the parser`).toBeUndefined();
      expect(rows, `searching for ${JSON.stringify(term)} matched ${rows?.length} users: the term became SQL`).toEqual([]);
      // The mechanism, not only the outcome: escaping quotes by hand also passes the lines above.
      const sent = dataStatements(db);
      const inText = sent.filter((s) => s.text.toLowerCase().includes(token));
      expect(
        inText.map((s) => s.text),
        `the search term was written into the SQL text. Pass it as a parameter ($1), never by string building, escaped or not`,
      ).toEqual([]);
      expect(
        sent.some((s) => JSON.stringify(s.params).toLowerCase().includes(token)),
        'the search term should travel as a parameter of the statement ($1)',
      ).toBe(true);
    }
    expect(await countUsers(admin), 'the users table must survive a search').toBe(users.length);

    for (const wildcard of ['%', '_']) {
      const rows = await repository.searchUsers(db, wildcard);
      expect(rows, `searching for ${JSON.stringify(wildcard)} should match names containing it literally: escape LIKE wildcards`).toEqual([]);
    }

    // A real term, from the middle of a name, in mixed case: substring, case-insensitive, newest first.
    const someone = users[randomInt(random, 0, users.length - 1)]!;
    const start = randomInt(random, 1, someone.length - 4);
    const piece = someone.slice(start, start + randomInt(random, 3, 4));
    const term = [...piece].map((c) => (random() < 0.5 ? c.toUpperCase() : c)).join('');
    const expected = users.filter((u) => `${u}@example.com`.includes(piece)).slice(0, 20);
    const found = await repository.searchUsers(db, term);
    expect(
      found.map((u) => u.username),
      `searching for ${JSON.stringify(term)} (from the middle of ${someone}): every name or address containing it, ignoring case, newest first ${seed}`,
    ).toEqual(expected);
    expect((await repository.searchUsers(db, 'example', 5)).length, 'limit is respected').toBe(5);
  }, 30);
}, DB_CHECK);

check('search-uses-index', async () => {
  await withDatabase(async ({ db, admin }, users) => {
    await searchIndex.createSearchIndexes(db);
    const someone = users[randomInt(random, 0, users.length - 1)]!;
    const term = someone.slice(1, 5);
    db.reset();
    expect((await repository.searchUsers(db, term)).length, `searching for ${term}, part of ${someone}`).toBeGreaterThan(0);
    const search = dataStatements(db).at(-1)!;
    const plan = await explainPlan(admin, search.text, search.params, { seqscan: false });
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

const EDITORS = 50;

check('no-lost-updates', async ({ report }) => {
  await withDatabase(async ({ db, admin }) => {
    const id = await newDocument(admin, '');
    const editors = EDITORS;
    await Promise.all(Array.from({ length: editors }, (_, i) => optimistic.editDocument(db, id, (content) => `${content}[${i}]`)));
    const final = await readDocument(admin, id);
    const kept = new Set(final.content.match(/\[\d+\]/g) ?? []);
    report({ id: 'lost-updates', value: editors - kept.size, detail: `${kept.size} of ${editors} edits kept, ${db.counts.roundTrips} round trips` });
    expect(kept.size, `${editors - kept.size} of ${editors} concurrent edits were lost (last write wins)`).toBe(editors);
    expect(final.content.length, 'each edit applied exactly once').toBe([...kept].join('').length);
    expect(final.version, 'one version per edit').toBe(1 + editors);
    expect(db.counts.outstanding).toBe(0);
  });
}, { timeout: 30_000 });
