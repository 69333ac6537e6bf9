// Fetch many records from an upstream that accepts a list of ids per call:
// one call per 100 ids instead of one call per id.

/** The guide's batch size: large enough to amortise a round trip, small enough to stay a fast query. */
export const BATCH_SIZE = 100;

export interface RecordSource<T> {
  /** One round trip for one id. */
  fetchOne(id: string): Promise<T>;
  /** One round trip for up to BATCH_SIZE ids; answers in the order of `ids`. */
  fetchBatch(ids: readonly string[]): Promise<T[]>;
}

// #region fetch-all
export async function fetchAll<T>(ids: readonly string[], source: RecordSource<T>): Promise<T[]> {
  const records: T[] = [];
  // One batch at a time: ceil(n / 100) round trips, and the upstream never
  // sees more than one of ours in flight.
  for (let start = 0; start < ids.length; start += BATCH_SIZE) {
    records.push(...(await source.fetchBatch(ids.slice(start, start + BATCH_SIZE))));
  }
  return records;
}
// #endregion fetch-all
