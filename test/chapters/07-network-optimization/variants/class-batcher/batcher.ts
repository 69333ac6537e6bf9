// A batcher as a class: an open batch collects calls and is sealed when full
// or when its own deadline passes; a sealed batch is sent and settled once.

export interface BatcherOptions<In, Out> {
  maxBatch: number;
  maxWaitMs: number;
  send(items: In[]): Promise<Out[]>;
}

export interface Batcher<In, Out> {
  call(item: In): Promise<Out>;
  readonly waiting: number;
  close(): Promise<void>;
}

export class BatchError extends Error {
  override readonly name = 'BatchError';
}

class OpenBatch<In, Out> {
  readonly items: In[] = [];
  readonly settle: Array<{ ok: (value: Out) => void; fail: (error: Error) => void }> = [];
  deadline?: NodeJS.Timeout;
}

class QueueingBatcher<In, Out> implements Batcher<In, Out> {
  #open: OpenBatch<In, Out> | undefined;
  readonly #sending = new Set<Promise<void>>();

  constructor(private readonly options: BatcherOptions<In, Out>) {}

  get waiting(): number {
    return this.#open?.items.length ?? 0;
  }

  call(item: In): Promise<Out> {
    const batch = (this.#open ??= this.#startBatch());
    const answer = new Promise<Out>((ok, fail) => batch.settle.push({ ok, fail }));
    batch.items.push(item);
    if (batch.items.length >= this.options.maxBatch) this.#seal(batch);
    return answer;
  }

  async close(): Promise<void> {
    if (this.#open) this.#seal(this.#open);
    await Promise.allSettled(this.#sending);
  }

  #startBatch(): OpenBatch<In, Out> {
    const batch = new OpenBatch<In, Out>();
    batch.deadline = setTimeout(() => this.#seal(batch), this.options.maxWaitMs);
    return batch;
  }

  #seal(batch: OpenBatch<In, Out>): void {
    clearTimeout(batch.deadline);
    if (this.#open === batch) this.#open = undefined;
    const sending = this.#send(batch).finally(() => this.#sending.delete(sending));
    this.#sending.add(sending);
  }

  async #send(batch: OpenBatch<In, Out>): Promise<void> {
    let outcome: Out[] | Error;
    try {
      outcome = await this.options.send(batch.items);
      if (outcome.length !== batch.items.length) {
        outcome = new BatchError(`expected ${batch.items.length} answers from the upstream, got ${outcome.length}`);
      }
    } catch (error) {
      outcome = new BatchError(`the batch request failed (${String((error as Error)?.message ?? error)})`, { cause: error });
    }
    batch.settle.forEach(({ ok, fail }, i) => (outcome instanceof Error ? fail(outcome) : ok(outcome[i]!)));
  }
}

export function createBatcher<In, Out>(options: BatcherOptions<In, Out>): Batcher<In, Out> {
  return new QueueingBatcher(options);
}
