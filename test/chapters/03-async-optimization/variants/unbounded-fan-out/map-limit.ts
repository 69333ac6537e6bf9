// Everything at once: results in order, failures in their slots, and no limit
// at all on the calls in flight.
export const MAX_CONCURRENT = 10;

export type Settled<R> = PromiseSettledResult<R>;

export async function mapLimit<T, R>(
  items: readonly T[],
  _limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<Settled<R>[]> {
  return Promise.allSettled(items.map((item, index) => fn(item, index)));
}
