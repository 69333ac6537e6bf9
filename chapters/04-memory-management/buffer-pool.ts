// Reusable buffers for encoding responses, so a busy server does not allocate
// (and later collect) a fresh buffer for every request.

/** Size classes: a request is served from the smallest class that fits it. */
export const SIZE_CLASSES = [1_024, 4_096, 16_384, 65_536, 262_144] as const;

export interface PoolOptions {
  /** Released buffers kept per size class; beyond this they are left to the GC. */
  maxFreePerClass?: number;
}

// #region buffer-pool
export class BufferPool {
  // Released buffers, filed by their length, ready for the next request.
  readonly #free = new Map<number, Buffer[]>();

  constructor(readonly options: PoolOptions = {}) {}

  /** A buffer of at least `minBytes`. Its contents are whatever the last user left. */
  acquire(minBytes: number): Buffer {
    return this.#free.get(minBytes)?.pop() ?? Buffer.allocUnsafeSlow(minBytes);
  }

  /** Give a buffer back for the next request. */
  release(buffer: Buffer): void {
    const free = this.#free.get(buffer.length) ?? [];
    free.push(buffer);
    this.#free.set(buffer.length, free);
  }
}
// #endregion buffer-pool
