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

/** Resolve when `released` does, reject at the deadline or when the signal aborts. */
function untilReleased(released: Promise<void>, remainingMs: number, signal: AbortSignal | undefined): Promise<void> {
  if (remainingMs <= 0) return Promise.reject(new DOMException('no resource free in time', 'TimeoutError'));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      reject(new DOMException('no resource free in time', 'TimeoutError'));
    }, remainingMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    void released.then(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

export class ResourcePool<T> {
  readonly #options: PoolOptions<T>;
  readonly #idle: T[] = [];
  readonly #lent = new Set<T>();
  #waiting = 0;
  /** Resolved (and replaced) on every release. */
  #released: Promise<void> | undefined;
  #wake: (() => void) | undefined;
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
      waiting: this.#waiting,
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

  /** Wait until a slot is free, then take it: every waiter wakes on each release and checks again. */
  async #takeSlot(signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    this.#waiting++;
    try {
      while (this.#slotsTaken >= this.#options.max) {
        this.#released ??= new Promise<void>((resolve) => (this.#wake = resolve));
        await untilReleased(this.#released, deadline - performance.now(), signal);
      }
      this.#slotsTaken++;
    } finally {
      this.#waiting--;
    }
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
    this.#slotsTaken--;
    const wake = this.#wake;
    this.#released = undefined;
    this.#wake = undefined;
    wake?.();
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
