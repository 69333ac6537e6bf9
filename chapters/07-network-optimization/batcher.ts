// Request batching: calls are collected and sent upstream as one request, and
// each answer goes back to the caller that asked for it.

export interface BatcherOptions<In, Out> {
  /** Send as soon as this many calls are waiting. */
  maxBatch: number;
  /** Send at the latest this long after the first call of a batch arrived. */
  maxWaitMs: number;
  /** One upstream request for the whole batch: answer i belongs to item i. */
  send(items: In[]): Promise<Out[]>;
}

export interface Batcher<In, Out> {
  call(item: In): Promise<Out>;
  /** Calls waiting for their batch to be sent. */
  readonly waiting: number;
  /** Send what is waiting now, and wait for every batch in flight to settle. */
  close(): Promise<void>;
}

/** A batch failed as a whole; every caller in it gets one of these. */
export class BatchError extends Error {
  override readonly name = 'BatchError';
}

interface Waiting<In, Out> {
  item: In;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

// #region batcher
export function createBatcher<In, Out>({ maxBatch, send }: BatcherOptions<In, Out>): Batcher<In, Out> {
  let waiting: Array<Waiting<In, Out>> = [];
  const inFlight = new Set<Promise<void>>();

  function flush(): void {
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    const sent = deliver(batch);
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  }

  async function deliver(batch: Array<Waiting<In, Out>>): Promise<void> {
    try {
      const answers = await send(batch.map((caller) => caller.item));
      // Hand each caller its answer.
      answers.forEach((answer, i) => batch[i]?.resolve(answer));
    } catch (error) {
      for (const caller of batch) caller.reject(new BatchError(`batch failed: ${(error as Error)?.message}`, { cause: error }));
    }
  }

  return {
    call(item) {
      return new Promise<Out>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        // A full batch goes out at once; the rest follow with the next full one.
        if (waiting.length >= maxBatch) flush();
      });
    },
    get waiting() {
      return waiting.length;
    },
    async close() {
      flush();
      await Promise.allSettled([...inFlight]);
    },
  };
}
// #endregion batcher
