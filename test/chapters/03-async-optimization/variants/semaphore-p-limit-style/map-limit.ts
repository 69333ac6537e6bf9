// The p-limit design: a small FIFO semaphore guards each call, every item is
// mapped at once, and Promise.allSettled keeps results in input order.
export const MAX_CONCURRENT = 10;

export type Settled<R> = PromiseSettledResult<R>;

class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(permits: number) {
    this.#free = permits;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    // Hand the permit straight to the next waiter, if any, so no one can jump the queue.
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

export function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<Settled<R>[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, not ${limit}`);
  const semaphore = new Semaphore(limit);
  return Promise.allSettled(
    items.map(async (item, index) => {
      await semaphore.acquire();
      try {
        return await fn(item, index);
      } finally {
        semaphore.release();
      }
    }),
  );
}
