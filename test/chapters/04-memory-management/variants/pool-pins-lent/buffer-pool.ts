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
  readonly #maxFreePerClass: number;
  readonly #free: Buffer[][] = SIZE_CLASSES.map(() => []);
  // Handed out and not yet back.
  readonly #inUse = new Set<Buffer>();

  constructor(options: PoolOptions = {}) {
    this.#maxFreePerClass = options.maxFreePerClass ?? 16;
  }

  /** A buffer of at least `minBytes`. Its contents are whatever the last user left. */
  acquire(minBytes: number): Buffer {
    const index = classFor(minBytes);
    // Bigger than the largest class: not worth keeping, allocate it once.
    if (index < 0) return Buffer.allocUnsafeSlow(minBytes);
    const buffer = this.#free[index]!.pop() ?? Buffer.allocUnsafeSlow(SIZE_CLASSES[index]!);
    this.#inUse.add(buffer);
    return buffer;
  }

  /** Give a buffer back. A second release, or a buffer the pool never lent, is ignored. */
  release(buffer: Buffer): void {
    // Without this, releasing twice (in a catch and again in a finally) puts
    // one buffer on the free list twice, and two requests then share it.
    if (!this.#inUse.delete(buffer)) return;
    const free = this.#free[SIZE_CLASSES.indexOf(buffer.length as (typeof SIZE_CLASSES)[number])];
    if (free && free.length < this.#maxFreePerClass) free.push(buffer);
  }
}

function classFor(minBytes: number): number {
  return SIZE_CLASSES.findIndex((size) => size >= minBytes);
}
// #endregion buffer-pool
