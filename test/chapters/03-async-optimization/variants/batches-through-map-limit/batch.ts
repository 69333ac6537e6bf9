// Fetch many records from an upstream that accepts a list of ids per call:
// one call per 100 ids instead of one call per id, three batches at a time.

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
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += BATCH_SIZE) chunks.push(ids.slice(start, start + BATCH_SIZE));
  // Up to three batches in flight (the upstream can take a few at once), each
  // answer written to its chunk's slot.
  const answers = new Array<T[]>(chunks.length);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const index = next++;
      answers[index] = await source.fetchBatch(chunks[index]!);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return answers.flat();
}
// #endregion fetch-all
