// The same contract written another way: capacity counted as resources alive,
// waiters in an insertion-ordered Set, a released resource handed straight to
// the oldest waiter, and deadlines from AbortSignal.timeout() (unref'd timers
// that need no clearing).

export interface PoolOptions<T> {
  max: number;
  create: () => Promise<T>;
  validate?: (resource: T) => boolean | Promise<boolean>;
  destroy?: (resource: T) => void | Promise<void>;
  acquireTimeoutMs?: number;
}

export interface AcquireOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface PoolStats {
  max: number;
  size: number;
  idle: number;
  inUse: number;
  waiting: number;
}

export class PoolClosedError extends Error {
  override name = 'PoolClosedError';
  constructor() {
    super('the resource pool is closed');
  }
}

interface Waiter<T> {
  hand(resource: T): void;
  fail(error: unknown): void;
}

export class ResourcePool<T> {
  readonly #options: PoolOptions<T>;
  readonly #idle: T[] = [];
  readonly #lent = new Set<T>();
  readonly #queue = new Set<Waiter<T>>();
  /** Created and not destroyed, or being created. */
  #alive = 0;
  #closed = false;

  constructor(options: PoolOptions<T>) {
    if (!(options.max >= 1)) throw new RangeError('max must be at least 1');
    this.#options = options;
  }

  get stats(): PoolStats {
    return { max: this.#options.max, size: this.#alive, idle: this.#idle.length, inUse: this.#lent.size, waiting: this.#queue.size };
  }

  async acquire({ signal, timeoutMs = this.#options.acquireTimeoutMs ?? 5_000 }: AcquireOptions = {}): Promise<T> {
    if (this.#closed) throw new PoolClosedError();
    signal?.throwIfAborted();
    const nobodyWaiting = this.#queue.size === 0;
    if (nobodyWaiting && (this.#idle.length > 0 || this.#alive < this.#options.max)) return this.#take();
    return this.#wait(timeoutMs, signal);
  }

  /** Lend an idle resource that still validates, or create one in the room that is free. */
  async #take(): Promise<T> {
    let resource = this.#idle.shift();
    while (resource !== undefined) {
      if (await this.#usable(resource)) return this.#lend(resource);
      this.#alive--;
      void this.#destroy(resource);
      resource = this.#idle.shift();
    }
    this.#alive++;
    try {
      return this.#lend(await this.#options.create());
    } catch (error) {
      this.#alive--;
      this.#createForNextWaiter();
      throw error;
    }
  }

  #wait(timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const stop = AbortSignal.any([...(signal ? [signal] : []), AbortSignal.timeout(timeoutMs)]);
      let settled = false;
      const onStop = () => {
        settled = true;
        this.#queue.delete(waiter);
        reject(stop.reason);
      };
      const waiter: Waiter<T> = {
        hand: (resource) => {
          // Gave up while a resource was being made for it: the resource goes to the next one.
          if (settled) return this.#giveBack(resource);
          settled = true;
          stop.removeEventListener('abort', onStop);
          resolve(this.#lend(resource));
        },
        fail: (error) => {
          if (settled) return;
          settled = true;
          stop.removeEventListener('abort', onStop);
          reject(error);
        },
      };
      stop.addEventListener('abort', onStop, { once: true });
      this.#queue.add(waiter);
    });
  }

  #nextWaiter(): Waiter<T> | undefined {
    const oldest = this.#queue.values().next();
    if (oldest.done) return undefined;
    this.#queue.delete(oldest.value);
    return oldest.value;
  }

  release(resource: T, broken: boolean | Error = false): void {
    if (!this.#lent.delete(resource)) return;
    if (broken || this.#closed) {
      this.#alive--;
      void this.#destroy(resource);
      this.#createForNextWaiter();
      return;
    }
    this.#giveBack(resource);
  }

  #giveBack(resource: T): void {
    const waiter = this.#nextWaiter();
    if (waiter) waiter.hand(resource);
    else this.#idle.push(resource);
  }

  /** Room freed up: make a resource for the oldest waiter, if there is one. */
  #createForNextWaiter(): void {
    if (this.#closed || this.#alive >= this.#options.max) return;
    const waiter = this.#nextWaiter();
    if (!waiter) return;
    this.#alive++;
    this.#options.create().then(
      (resource) => waiter.hand(resource),
      (error: unknown) => {
        this.#alive--;
        waiter.fail(error);
        // The room is free again: the next waiter gets its try.
        this.#createForNextWaiter();
      },
    );
  }

  use<R>(work: (resource: T) => Promise<R> | R, options?: AcquireOptions): Promise<R> {
    return this.acquire(options).then((resource) =>
      Promise.resolve()
        .then(() => work(resource))
        .finally(() => this.release(resource)),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#queue) waiter.fail(new PoolClosedError());
    this.#queue.clear();
    const idle = this.#idle.splice(0);
    this.#alive -= idle.length;
    await Promise.all(idle.map((resource) => this.#destroy(resource)));
  }

  #lend(resource: T): T {
    this.#lent.add(resource);
    return resource;
  }

  async #usable(resource: T): Promise<boolean> {
    try {
      return (await this.#options.validate?.(resource)) ?? true;
    } catch {
      return false;
    }
  }

  async #destroy(resource: T): Promise<void> {
    try {
      await this.#options.destroy?.(resource);
    } catch {
      // A resource that fails to close is gone all the same.
    }
  }
}
