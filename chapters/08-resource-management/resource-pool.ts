// A pool of expensive resources (database connections, browser pages,
// sandboxes). A port of the guide's ResourcePool. Read lesson.mdx beside this
// file, then run: npm run chapter 8

export interface PoolOptions<T> {
  /** Most resources alive at once, idle and lent out together. */
  max: number;
  /** Make a new resource. It should carry its own connect timeout. */
  create: () => Promise<T>;
  /** Is a resource still usable? */
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

export class ResourcePool<T> {
  readonly #options: PoolOptions<T>;
  readonly #idle: T[] = [];
  readonly #lent = new Set<T>();
  /** Set while a returned resource is being checked, like the guide's Mutex. */
  #returning = false;
  #closed = false;

  constructor(options: PoolOptions<T>) {
    this.#options = options;
  }

  get stats(): PoolStats {
    return {
      max: this.#options.max,
      size: this.#idle.length + this.#lent.size,
      idle: this.#idle.length,
      inUse: this.#lent.size,
      waiting: 0,
    };
  }

  // #region acquire
  /** Borrow a resource. Give it back with release(). */
  async acquire(_options: AcquireOptions = {}): Promise<T> {
    if (this.#closed) throw new PoolClosedError();
    // Reuse an idle resource, or make a new one.
    const resource = this.#idle.pop() ?? (await this.#options.create());
    this.#lent.add(resource);
    return resource;
  }
  // #endregion acquire

  // #region release
  /** Give a resource back. Pass `broken` when it failed in use. */
  async release(resource: T, broken: boolean | Error = false): Promise<void> {
    this.#lent.delete(resource);
    if (broken) return;
    // The guide's Drop: `if let Ok(mut pool) = self.pool.try_lock()`. If another
    // return is being checked, this one is simply dropped; the pool makes a new
    // resource when it needs one.
    if (this.#returning) return;
    this.#returning = true;
    try {
      if ((await this.#options.validate?.(resource)) ?? true) this.#idle.push(resource);
    } finally {
      this.#returning = false;
    }
  }
  // #endregion release

  // #region use
  /** Borrow a resource for the length of `work`. */
  async use<R>(work: (resource: T) => Promise<R> | R, options?: AcquireOptions): Promise<R> {
    const resource = await this.acquire(options);
    const result = await work(resource);
    await this.release(resource);
    return result;
  }
  // #endregion use

  /** Refuse new callers and destroy the idle resources. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#idle.splice(0).map(async (resource) => this.#options.destroy?.(resource)));
  }
}
