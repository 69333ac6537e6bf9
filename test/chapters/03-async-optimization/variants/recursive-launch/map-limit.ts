// No runners and no semaphore: start `limit` calls, and each time one settles
// launch the next item from its callback. Done when the last one settles.
export const MAX_CONCURRENT = 10;

export type Settled<R> = PromiseSettledResult<R>;

export function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<Settled<R>[]> {
  const results = new Array<Settled<R>>(items.length);
  if (items.length === 0) return Promise.resolve(results);
  return new Promise((resolve) => {
    let launched = 0;
    let settled = 0;
    const launch = (): void => {
      const index = launched++;
      fn(items[index]!, index)
        .then(
          (value) => (results[index] = { status: 'fulfilled', value }),
          (reason: unknown) => (results[index] = { status: 'rejected', reason }),
        )
        .then(() => {
          settled++;
          if (launched < items.length) launch();
          else if (settled === items.length) resolve(results);
        });
    };
    for (let i = 0; i < Math.min(limit, items.length); i++) launch();
  });
}
