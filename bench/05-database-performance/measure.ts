// Chapter 5 scorecard, the timed part: what round trips cost when each one
// takes 2 ms (a database in another availability zone), on PGlite or, with
// DATABASE_URL set, on PostgreSQL. A load and a batch insert are timed
// against one plain round trip in alternating rounds, so the figure is "how
// many round trips' worth of time", which a busy machine moves on both sides
// alike. The counts (round trips, statements, lost updates, leaked clients)
// are reported by the checks whose scenarios produce them.
import { defineMeasurements } from '../../workbook/authoring/define-measurements.ts';
import { isTransactionControl } from '../../workbook/backends/postgres-counting.ts';
import { closeEmbedded, openTestDatabase, warmUp } from '../../workbook/backends/postgres.ts';
import { explainPlan } from '../../test/chapters/05-database-performance/explain.ts';
import { createTables, seedUsers } from '../../test/chapters/05-database-performance/fixtures.ts';
import { randomInt, randomToken, runRandom, shuffled } from '../../test/support/random.ts';
import { median, summarize } from '../../workbook/authoring/stats.ts';
import type { Queryable } from '../../workbook/backends/postgres-types.ts';

type RepositoryModule = typeof import('../../solutions/05-database-performance/repository.ts');
type SearchIndexModule = typeof import('../../solutions/05-database-performance/search-index.ts');

/** The network's share of every round trip. */
const ROUND_TRIP_MS = 2;
const USERS = 5_000;
const LOOKUP_IDS = 150;
const INSERT_ROWS = 200;
const WARMUP_CALLS = 5;
const SEARCH_TERMS = 6;

warmUp();

/** Plain round trips per baseline measurement, averaged. */
const BASELINE_TRIPS = 3;

/**
 * `work` timed against one plain round trip (`SELECT 1` through the same
 * database, network delay included), in alternating rounds until `rounds`
 * are done or `maxTimeMs` has passed. Returns work ÷ round trip per round,
 * and the medians in ms for the detail line.
 */
async function inRoundTrips(db: Queryable, work: () => Promise<unknown>, { rounds, maxTimeMs }: { rounds: number; maxTimeMs: number }) {
  const time = async (fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  const roundTrip = async () => {
    for (let i = 0; i < BASELINE_TRIPS; i++) await db.query('SELECT 1');
  };
  const ratios: number[] = [];
  const workMs: number[] = [];
  const tripMs: number[] = [];
  const deadline = performance.now() + maxTimeMs;
  for (let round = 0; round < rounds && performance.now() < deadline; round++) {
    // Alternate which side goes first, so neither always runs on a warmer cache.
    let trip: number;
    let took: number;
    if (round % 2 === 0) {
      trip = await time(roundTrip);
      took = await time(work);
    } else {
      took = await time(work);
      trip = await time(roundTrip);
    }
    tripMs.push(trip / BASELINE_TRIPS);
    workMs.push(took);
    ratios.push(took / (trip / BASELINE_TRIPS));
  }
  return { ratios: summarize(ratios), workMs: median(workMs), tripMs: median(tripMs) };
}

export default defineMeasurements(5, async ({ subject, latency, report, progress }) => {
  const { usersByIds, insertUsers, searchUsers } = await subject<RepositoryModule>('repository.ts');
  const { createSearchIndexes } = await subject<SearchIndexModule>('search-index.ts');
  const random = runRandom(50);

  progress(`filling a table with ${USERS} users`);
  const t = await openTestDatabase({ roundTripDelayMs: ROUND_TRIP_MS });
  const { db, admin } = t;
  try {
    await createTables(admin);
    const users = await seedUsers(admin, USERS, random);
    await admin.query('ANALYZE users');
    const lookupIds = shuffled(random, users.map((_, i) => i + 1)).slice(0, LOOKUP_IDS);

    progress('loading users by id');
    // Untimed small calls first: PGlite compiles its WebAssembly for each new
    // code path on first use, which under load can take hundreds of ms.
    for (let i = 0; i < WARMUP_CALLS; i++) await usersByIds(db, lookupIds.slice(i, i + 3));
    const lookups = await inRoundTrips(db, () => usersByIds(db, lookupIds), { rounds: 20, maxTimeMs: 2_500 });
    report({
      id: 'lookup-latency',
      summary: lookups.ratios,
      detail: `${lookups.ratios.n} rounds: a load of ${LOOKUP_IDS} users took ${lookups.workMs.toFixed(1)} ms, one round trip ${lookups.tripMs.toFixed(1)} ms (medians)`,
    });

    progress('inserting batches');
    const nextBatch = () =>
      Array.from({ length: INSERT_ROWS }, () => {
        const name = `batch${randomToken(random, 10)}`;
        return { username: name, email: `${name}@example.org` };
      });
    for (let i = 0; i < WARMUP_CALLS; i++) await insertUsers(db, nextBatch().slice(0, 1));
    let batches = 0;
    const inserts = await inRoundTrips(
      db,
      () => {
        batches++;
        return insertUsers(db, nextBatch());
      },
      { rounds: 15, maxTimeMs: 2_500 },
    );
    report({
      id: 'batch-insert-latency',
      summary: inserts.ratios,
      detail: `${inserts.ratios.n} rounds: a batch of ${INSERT_ROWS} rows took ${inserts.workMs.toFixed(1)} ms, one round trip ${inserts.tripMs.toFixed(1)} ms (medians)`,
    });

    progress('searching');
    await createSearchIndexes(db);
    await admin.query('ANALYZE users');
    // Terms from the middle of random names: substrings, as the tool is used.
    const terms = Array.from({ length: SEARCH_TERMS }, () => {
      const name = users[randomInt(random, 0, users.length - 1)]!;
      const start = randomInt(random, 1, name.length - 4);
      return name.slice(start, start + 4);
    });
    db.reset();
    await searchUsers(db, terms[0]!);
    const statement = db.counts.statements.filter((s) => !isTransactionControl(s.text)).at(-1)!;
    const plan = await explainPlan(admin, statement.text, statement.params);
    const scan = /Bitmap Index Scan on \w+|Index Scan using \w+|Seq Scan on \w+/.exec(plan)?.[0] ?? 'see EXPLAIN';
    let term = 0;
    const searches = await latency('search', () => searchUsers(db, terms[term++ % terms.length]!), {
      iterations: 100,
      warmupIterations: 3,
      maxTimeMs: 800,
    });
    report({ id: 'search-latency', summary: searches, detail: `${USERS + batches * INSERT_ROWS} users, plan: ${scan}` });
  } finally {
    await t.close();
    await closeEmbedded();
  }
});
