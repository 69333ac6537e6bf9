// The database behind the caching chapter's cache (its L3 and the source of
// truth): a table in pg-mem, read with a parameterised query through pg-mem's
// node-postgres adapter. Every read and write the cache makes is counted, with
// how many reads were in flight at once, so checks grade on counts.
//
// pg-mem is an instant, in-process stand-in that answers these point reads
// correctly. It is not PostgreSQL: ROLLBACK does not undo writes,
// `= ANY($1::int[])` silently matches nothing, EXPLAIN and extensions such as
// pg_trgm are missing. Chapter 5 uses PGlite for that reason.
import { setTimeout as sleep } from 'node:timers/promises';
import { newDb } from 'pg-mem';

/** The shape the cache is given: the database's read and write paths. */
export interface ItemStoreApi {
  load(key: string): Promise<string | undefined>;
  save(key: string, value: string): Promise<void>;
}

export interface CountedItemStore {
  /** Hand this to the cache. */
  store: ItemStoreApi;
  /** Every key the cache read from the database, in order. */
  loads: string[];
  /** Every key the cache wrote to the database. */
  saves: string[];
  /** The most reads in flight at once (reset with resetPeak). */
  readonly peakInFlight: number;
  resetPeak(): void;
  /** Write rows directly, as the application's own write path would (not counted). */
  put(entries: Iterable<readonly [string, string]>): Promise<void>;
  /** Reads of these keys fail, as a timed-out query would. */
  failingKeys: Set<string>;
  /**
   * A read of one of these keys fetches its row, then waits for the promise
   * before answering: the test decides how long a load stays in flight, by
   * events rather than by a timer a loaded machine could outrun.
   */
  holds: Map<string, Promise<unknown>>;
  /** Resolves once a read of `key` has fetched its row, while the read is still on its way back. */
  rowRead(key: string): Promise<void>;
  /** How many other reads started while a read of `key` was in flight. */
  startedDuring(key: string): number;
  /** Resolves once `count` other reads have started while `key` was in flight, or after `timeoutMs`. */
  othersStarted(key: string, count: number, timeoutMs: number): Promise<void>;
}

export interface ItemStoreOptions {
  /**
   * Network time added to every read, in ms (0: answer at once). It comes
   * after the row is read, as the reply's trip back does: a write made during
   * that time is newer than what the read returns.
   */
  readDelayMs?: number;
}

export async function itemStore({ readDelayMs = 0 }: ItemStoreOptions = {}): Promise<CountedItemStore> {
  const db = newDb();
  db.public.none('CREATE TABLE items (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const table = db.public.getTable('items');
  const { Pool } = db.adapters.createPg() as { Pool: new () => { query(text: string, values: unknown[]): Promise<{ rows: Array<{ value: string }> }> } };
  const pool = new Pool();

  const loads: string[] = [];
  const saves: string[] = [];
  const failingKeys = new Set<string>();
  const holds = new Map<string, Promise<unknown>>();
  const rowWaiters = new Map<string, Array<() => void>>();
  const startWatchers = new Set<{ key: string; count: number; resolve: () => void }>();
  const inFlightKeys = new Map<string, number>();
  const startedDuring = new Map<string, number>();
  let inFlight = 0;
  let peak = 0;

  const upsert = (key: string, value: string) =>
    pool.query('INSERT INTO items (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);

  return {
    loads,
    saves,
    failingKeys,
    holds,
    rowRead: (key) => new Promise<void>((resolve) => rowWaiters.set(key, [...(rowWaiters.get(key) ?? []), resolve])),
    startedDuring: (key) => startedDuring.get(key) ?? 0,
    othersStarted(key, count, timeoutMs) {
      return new Promise<void>((resolve) => {
        const watcher = {
          key,
          count,
          resolve: () => {
            clearTimeout(timer);
            startWatchers.delete(watcher);
            resolve();
          },
        };
        const timer = setTimeout(watcher.resolve, timeoutMs);
        startWatchers.add(watcher);
      });
    },
    get peakInFlight() {
      return peak;
    },
    resetPeak() {
      peak = inFlight;
    },
    async put(entries) {
      for (const [key, value] of entries) {
        // The table API skips SQL parsing, so seeding thousands of rows stays quick.
        try {
          table.insert({ key, value });
        } catch {
          await upsert(key, value);
        }
      }
    },
    store: {
      async load(key) {
        loads.push(key);
        inFlight++;
        peak = Math.max(peak, inFlight);
        for (const other of inFlightKeys.keys()) startedDuring.set(other, (startedDuring.get(other) ?? 0) + 1);
        inFlightKeys.set(key, (inFlightKeys.get(key) ?? 0) + 1);
        for (const watcher of startWatchers) if ((startedDuring.get(watcher.key) ?? 0) >= watcher.count) watcher.resolve();
        try {
          const { rows } = await pool.query('SELECT value FROM items WHERE key = $1', [key]);
          for (const resolve of rowWaiters.get(key)?.splice(0) ?? []) resolve();
          const hold = holds.get(key);
          if (hold) await hold;
          else if (readDelayMs > 0) await sleep(readDelayMs);
          if (failingKeys.has(key)) throw new Error(`database read of ${key} timed out`);
          return rows[0]?.value;
        } finally {
          inFlight--;
          const left = inFlightKeys.get(key)! - 1;
          if (left === 0) inFlightKeys.delete(key);
          else inFlightKeys.set(key, left);
        }
      },
      async save(key, value) {
        saves.push(key);
        await upsert(key, value);
      },
    },
  };
}
