// Chapter 5 scorecard: round trips counted by a wrapper around the database,
// and the latency they cost when each one takes 2 ms (a database in another
// availability zone), on PGlite or, with DATABASE_URL set, on PostgreSQL.
import { defineBench } from '../workbook/measure.ts';
import { closeEmbedded, openTestDatabase, warmUp } from '../test/support/db.ts';
import { createTables, seedUsers } from '../test/support/db-fixtures.ts';

type PoolModule = typeof import('../solutions/05-database-performance/pool.ts');
type RepositoryModule = typeof import('../solutions/05-database-performance/repository.ts');
type SearchIndexModule = typeof import('../solutions/05-database-performance/search-index.ts');
type OptimisticModule = typeof import('../solutions/05-database-performance/optimistic.ts');

/** The network's share of every round trip. */
const ROUND_TRIP_MS = 2;
const USERS = 5_000;
const LOOKUP_IDS = Array.from({ length: 150 }, (_, i) => 1 + i * 131);
const INSERT_ROWS = 200;
const EDITORS = 50;
const FAILED_TRANSACTIONS = 10;
const WARMUP_CALLS = 5;
const SEARCH_TERMS = ['grace16', 'heidi42', 'bob77', 'judy9', 'carol123', 'erin4'];

warmUp();

export default defineBench(5, async ({ subject, latency, report, progress }) => {
  const { withTransaction, poolStats } = await subject<PoolModule>('pool.ts');
  const { usersByIds, insertUsers, searchUsers } = await subject<RepositoryModule>('repository.ts');
  const { createSearchIndexes } = await subject<SearchIndexModule>('search-index.ts');
  const { editDocument } = await subject<OptimisticModule>('optimistic.ts');

  progress(`filling a table with ${USERS} users`);
  const t = await openTestDatabase({ roundTripDelayMs: ROUND_TRIP_MS });
  const { db, admin } = t;
  try {
    await createTables(admin);
    await seedUsers(admin, USERS);
    await admin.query('ANALYZE users');

    progress('loading users by id');
    // Untimed small calls first: PGlite compiles its WebAssembly for each new
    // code path on first use, which under load can take hundreds of ms.
    for (let i = 0; i < WARMUP_CALLS; i++) await usersByIds(db, LOOKUP_IDS.slice(0, 3));
    // Round trips are counted during the timed calls: round trips ÷ calls is per call.
    let loads = 0;
    db.reset();
    const lookups = await latency(
      'lookup',
      () => {
        loads++;
        return usersByIds(db, LOOKUP_IDS);
      },
      { iterations: 60, maxTimeMs: 1_000 },
    );
    report({
      id: 'lookup-round-trips',
      value: db.counts.roundTrips / loads,
      detail: `per load of ${LOOKUP_IDS.length} ids`,
    });
    report({ id: 'lookup-latency', summary: lookups, detail: `${lookups.n} loads of ${LOOKUP_IDS.length} users` });

    progress('inserting batches');
    let batches = 0;
    const nextBatch = () => {
      const batch = batches++;
      return Array.from({ length: INSERT_ROWS }, (_, i) => ({ username: `batch${batch}-${i}`, email: `batch${batch}-${i}@example.org` }));
    };
    for (let i = 0; i < WARMUP_CALLS; i++) {
      await insertUsers(db, [{ username: `warmup${i}`, email: `warmup${i}@example.org` }]);
    }
    db.reset();
    const inserts = await latency('insert', () => insertUsers(db, nextBatch()), { iterations: 30, maxTimeMs: 1_000 });
    report({
      id: 'batch-insert-round-trips',
      value: db.counts.roundTrips / batches,
      detail: `${INSERT_ROWS} rows: ${db.counts.dataStatements / batches} statements + ${(db.counts.roundTrips - db.counts.dataStatements) / batches} BEGIN/COMMIT`,
    });
    report({ id: 'batch-insert-latency', summary: inserts, detail: `${inserts.n} batches of ${INSERT_ROWS} rows` });

    progress('searching');
    await createSearchIndexes(db);
    await admin.query('ANALYZE users');
    db.reset();
    await searchUsers(db, SEARCH_TERMS[0]!);
    const statement = db.counts.statements.at(-1)!;
    const plan = (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.params)).rows
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    const scan = /Bitmap Index Scan on \w+|Index Scan using \w+|Seq Scan on \w+/.exec(plan)?.[0] ?? 'see EXPLAIN';
    let term = 0;
    const searches = await latency('search', () => searchUsers(db, SEARCH_TERMS[term++ % SEARCH_TERMS.length]!), {
      iterations: 100,
      warmupIterations: 3,
      maxTimeMs: 800,
    });
    report({ id: 'search-latency', summary: searches, detail: `${USERS + batches * INSERT_ROWS} users, plan: ${scan}` });

    progress(`${EDITORS} concurrent edits of one document`);
    const { rows } = await admin.query<{ id: number }>("INSERT INTO documents (content) VALUES ('') RETURNING id");
    const id = rows[0]!.id;
    db.reset();
    await Promise.all(Array.from({ length: EDITORS }, (_, i) => editDocument(db, id, (content) => `${content}[${i}]`)));
    const final = await admin.query<{ content: string }>('SELECT content FROM documents WHERE id = $1', [id]);
    const kept = new Set(final.rows[0]!.content.match(/\[\d+\]/g) ?? []).size;
    report({
      id: 'lost-updates',
      value: EDITORS - kept,
      detail: `${kept} of ${EDITORS} edits kept, ${db.counts.roundTrips} round trips`,
    });

    progress('failing transactions');
    let leaked = 0;
    for (let i = 0; i < FAILED_TRANSACTIONS; i++) {
      db.reset();
      await withTransaction(db, async (client) => {
        await client.query('SELECT 1');
        throw new Error('the work failed');
      }).catch(() => {});
      leaked += db.counts.outstanding;
      // Give back what the code under test kept, so the next attempt can check out.
      db.releaseLeaked();
    }
    const stats = poolStats(db);
    report({
      id: 'leaked-clients',
      value: leaked,
      detail: `pool afterwards: ${stats.total} total, ${stats.idle} idle, ${stats.waiting} waiting`,
    });
  } finally {
    await t.close();
    await closeEmbedded();
  }
});
