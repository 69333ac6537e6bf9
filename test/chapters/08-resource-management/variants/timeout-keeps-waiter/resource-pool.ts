// A pool of expensive resources (database connections, browser pages,
// sandboxes) that never has more than `max` alive, serves waiting callers first
// come first served, gives up on a deadline or the caller's signal, and replaces
// resources that broke instead of handing them out again.

export interface PoolOptions<T> {
  /** Most resources alive at once, idle and lent out together. */
  max: number;
  /** Make a new resource. It should carry its own connect timeout. */
  create: () => Promise<T>;
  /** Is an idle resource still usable? Asked before it is lent out again. */
  validate?: (resource: T) => boolean | Promise<boolean>;
  /** Close a resource for good (broken, stale, or the pool is closing). */
  destroy?: (resource: T) => void | Promise<void>;
  /** How long acquire() waits for a free slot by default. */
  acquireTimeoutMs?: number;
}

export interface AcquireOptions {
  /** The caller's signal (an MCP request's `extra.signal`): stop waiting when it aborts. */
  signal?: AbortSignal;
  /** Overrides the pool's acquireTimeoutMs for this call. */
  timeoutMs?: number;
}

export interface PoolStats {
  max: number;
  /** Alive: idle plus lent out. */
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

const DEFAULT_ACQUIRE_TIMEOUT_MS = 5_000;

// #region waiter
/** A caller waiting for a slot. Exactly one of grant() and giveUp() takes effect. */
interface Waiter {
  grant(): void;
  giveUp(reason: unknown): void;
}
// #endregion waiter

export class ResourcePool<T> {
  readonly #options: PoolOptions<T>;
  readonly #idle: T[] = [];
  readonly #lent = new Set<T>();
  /** Waiting callers, oldest first. */
  readonly #waiters: Waiter[] = [];
  /**
   * Slots taken: one per caller that holds a resource or is getting one
   * (validating an idle one, or creating). Never more than max.
   */
  #slotsTaken = 0;
  #alive = 0;
  #closed = false;

  constructor(options: PoolOptions<T>) {
    if (!Number.isInteger(options.max) || options.max < 1) {
      throw new RangeError(`max must be a positive integer, not ${options.max}`);
    }
    this.#options = options;
  }

  get stats(): PoolStats {
    return {
      max: this.#options.max,
      size: this.#alive,
      idle: this.#idle.length,
      inUse: this.#lent.size,
      waiting: this.#waiters.length,
    };
  }

  // #region acquire
  /** Borrow a resource. Give it back with release(), in a `finally`. */
  async acquire({ signal, timeoutMs = this.#options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS }: AcquireOptions = {}): Promise<T> {
    if (this.#closed) throw new PoolClosedError();
    signal?.throwIfAborted();
    await this.#takeSlot(signal, timeoutMs);
    try {
      const resource = await this.#checkOut();
      this.#lent.add(resource);
      return resource;
    } catch (error) {
      // create() failed: the slot goes to the next caller, or nobody could ever use it again.
      this.#freeSlot();
      throw error;
    }
  }

  /** Take a free slot now, or queue for one in arrival order. */
  #takeSlot(signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    // Nobody is queued and a slot is free: no need to wait (and no way to overtake anyone).
    if (this.#waiters.length === 0 && this.#slotsTaken < this.#options.max) {
      this.#slotsTaken++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => waiter.giveUp(new DOMException(`no resource free within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs)
        : undefined;
      const onAbort = () => waiter.giveUp(signal!.reason);
      const stopListening = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        // The slot was handed over by whoever freed it: it is already counted.
        grant: () => {
          stopListening();
          resolve();
        },
        giveUp: (reason) => {
          stopListening();
          reject(reason);
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** With a slot held: the most recently used idle resource that still works, or a new one. */
  async #checkOut(): Promise<T> {
    for (let resource = this.#idle.pop(); resource !== undefined; resource = this.#idle.pop()) {
      if (await this.#isUsable(resource)) return resource;
      this.#discard(resource);
    }
    const resource = await this.#options.create();
    this.#alive++;
    return resource;
  }
  // #endregion acquire

  // #region release
  /**
   * Give a resource back. Pass `broken` when it failed in use: it is destroyed
   * and its slot freed, so the next caller gets a fresh one.
   */
  release(resource: T, broken: boolean | Error = false): void {
    // Not lent out (released twice, or never ours): ignore it rather than lend it twice.
    if (!this.#lent.delete(resource)) return;
    if (broken || this.#closed) this.#discard(resource);
    else this.#idle.push(resource);
    this.#freeSlot();
  }

  /** A freed slot goes straight to the oldest waiter: nobody arriving later can take it first. */
  #freeSlot(): void {
    const next = this.#waiters.shift();
    if (next) next.grant();
    else this.#slotsTaken--;
  }
  // #endregion release

  // #region use
  /** Borrow a resource for the length of `work`; it goes back however `work` ends. */
  async use<R>(work: (resource: T) => Promise<R> | R, options?: AcquireOptions): Promise<R> {
    const resource = await this.acquire(options);
    try {
      return await work(resource);
    } finally {
      this.release(resource);
    }
  }
  // #endregion use

  /** Refuse new callers, fail the waiting ones, destroy the idle resources. Lent ones are destroyed on release. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.giveUp(new PoolClosedError());
    await Promise.all(this.#idle.splice(0).map((resource) => this.#discard(resource)));
  }

  async #isUsable(resource: T): Promise<boolean> {
    try {
      return (await this.#options.validate?.(resource)) ?? true;
    } catch {
      return false;
    }
  }

  #discard(resource: T): Promise<void> {
    this.#alive--;
    // A failing destroy must not take the pool down with it.
    return Promise.resolve()
      .then(() => this.#options.destroy?.(resource))
      .catch(() => {});
  }
}
