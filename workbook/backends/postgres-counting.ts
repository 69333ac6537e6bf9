// A counting wrapper around a database: chapter 5 grades round trips,
// statements and pool checkouts, which are the same on every machine, instead
// of timings, which are not.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, PooledClient, PoolCounters, QueryResult } from './postgres-types.ts';

export interface Statement {
  text: string;
  params: unknown[];
}

export interface DbCounts {
  /** Every query sent, on the pool or on a checked-out client. */
  roundTrips: number;
  /** Round trips that were not transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT…). */
  dataStatements: number;
  checkouts: number;
  releases: number;
  /** Clients checked out and not yet released. */
  outstanding: number;
  /** The statements sent, oldest first (the first 10 000). */
  statements: Statement[];
}

export interface CountingDatabase extends Database, PoolCounters {
  readonly counts: DbCounts;
  /** Start counting from zero (after setting up). */
  reset(): void;
  /** Give back, and discard, every client still checked out. */
  releaseLeaked(): void;
}

const KEPT_STATEMENTS = 10_000;
const TRANSACTION_CONTROL = /^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

export function isTransactionControl(text: string): boolean {
  return TRANSACTION_CONTROL.test(text);
}

export function countingDatabase(
  inner: Database & PoolCounters,
  options: { roundTripDelayMs?: number } = {},
): CountingDatabase {
  const delay = options.roundTripDelayMs ?? 0;
  const fresh = (): DbCounts => ({
    roundTrips: 0,
    dataStatements: 0,
    checkouts: 0,
    releases: 0,
    outstanding: 0,
    statements: [],
  });
  let counts = fresh();
  const leased = new Set<PooledClient>();

  const counted = async <Row,>(send: () => Promise<QueryResult<Row>>, text: string, params: unknown[] | undefined) => {
    counts.roundTrips++;
    if (!isTransactionControl(text)) counts.dataStatements++;
    if (counts.statements.length < KEPT_STATEMENTS) counts.statements.push({ text, params: params ?? [] });
    // The network's share of a round trip, on the way to a database elsewhere.
    if (delay > 0) await sleep(delay);
    return send();
  };

  return {
    get counts() {
      return counts;
    },
    reset() {
      const outstanding = counts.outstanding;
      counts = fresh();
      counts.outstanding = outstanding;
    },
    query<Row>(text: string, params?: unknown[]) {
      return counted(() => inner.query<Row>(text, params), text, params);
    },
    async connect(): Promise<PooledClient> {
      const client = await inner.connect();
      counts.checkouts++;
      counts.outstanding++;
      leased.add(client);
      return {
        query: <Row,>(text: string, params?: unknown[]) => counted(() => client.query<Row>(text, params), text, params),
        release(error?: Error | boolean) {
          counts.releases++;
          if (leased.delete(client)) counts.outstanding--;
          client.release(error);
        },
      };
    },
    releaseLeaked() {
      for (const client of leased) {
        try {
          client.release(true);
        } catch {
          // Already gone.
        }
      }
      leased.clear();
      counts.outstanding = 0;
    },
    get totalCount() {
      return inner.totalCount;
    },
    get idleCount() {
      return inner.idleCount;
    },
    get waitingCount() {
      return inner.waitingCount;
    },
  };
}
