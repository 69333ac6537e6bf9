// Ten at a time, in chunks: start `limit` calls, wait for all of them, start
// the next `limit`. Never over the limit, results in order, and every chunk
// waits for its slowest call while the other slots sit empty.
export const MAX_CONCURRENT = 10;

export type Settled<R> = PromiseSettledResult<R>;

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<Settled<R>[]> {
  const results: Settled<R>[] = [];
  for (let start = 0; start < items.length; start += limit) {
    const chunk = items.slice(start, start + limit);
    results.push(...(await Promise.allSettled(chunk.map((item, k) => fn(item, start + k)))));
  }
  return results;
}
