// Request batching: calls are collected until `maxBatch` are waiting or
// `maxWaitMs` has passed since the first of them, sent upstream as one request,
// and each answer goes back to the caller that asked for it.

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
export function createBatcher<In, Out>({ maxBatch, maxWaitMs, send }: BatcherOptions<In, Out>): Batcher<In, Out> {
  let waiting: Array<Waiting<In, Out>> = [];
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    const sent = deliver(batch);
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  }

  async function deliver(batch: Array<Waiting<In, Out>>): Promise<void> {
    const failAll = (message: string, cause?: unknown) => {
      for (const caller of batch) caller.reject(new BatchError(message, { cause }));
    };
    let answers: Out[];
    try {
      answers = await send(batch.map((caller) => caller.item));
    } catch (error) {
      failAll(`batch of ${batch.length} calls failed: ${(error as Error)?.message ?? String(error)}`, error);
      return;
    }
    // Zipping a short answer list onto the callers would leave the last ones
    // waiting forever. A count that does not match means nobody can tell which
    // answer is whose: fail them all, loudly.
    if (!Array.isArray(answers) || answers.length !== batch.length) {
      failAll(`batch of ${batch.length} calls got ${Array.isArray(answers) ? answers.length : 'no list of'} answers`);
      return;
    }
    batch.forEach((caller, i) => caller.resolve(answers[i]!));
  }

  return {
    call(item) {
      return new Promise<Out>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        if (waiting.length >= maxBatch) flush();
        // The clock starts with the first call of a batch and is not reset by
        // later ones, so under a steady trickle nobody waits more than maxWaitMs.
        else {
          // Wait until the calls stop coming for maxWaitMs.
          clearTimeout(timer);
          timer = setTimeout(flush, maxWaitMs);
        }
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
