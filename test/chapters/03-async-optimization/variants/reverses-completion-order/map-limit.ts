// Run an async function over many items with at most `limit` calls in flight.
// A port of the guide's `buffer_unordered(10)`. Read lesson.mdx beside this
// file, then run: npm run chapter 3

/** The guide's fan-out limit: ten upstream calls at a time per request. */
export const MAX_CONCURRENT = 10;

export type Settled<R> = PromiseSettledResult<R>;

// #region map-limit
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<Settled<R>[]> {
  const results: Settled<R>[] = [];
  const running = new Set<Promise<void>>();

  for (const [index, item] of items.entries()) {
    const call: Promise<void> = fn(item, index)
      .then(
        (value) => {
          results.push({ status: 'fulfilled', value });
        },
        (reason) => {
          results.push({ status: 'rejected', reason });
        },
      )
      .finally(() => running.delete(call));
    running.add(call);
    // Full: wait for any one call to finish before starting the next.
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  // The calls finish last-first, so reverse to get input order back.
  return results.reverse();
}
// #endregion map-limit
