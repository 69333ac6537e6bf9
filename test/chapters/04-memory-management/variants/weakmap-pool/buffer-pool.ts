// Reusable buffers for encoding responses, pooled by size class. Which class a
// lent buffer belongs to is remembered in a WeakMap: a second release finds
// nothing, and a buffer never returned is still collected.

/** Size classes: a request is served from the smallest class that fits it. */
export const SIZE_CLASSES = [1_024, 4_096, 16_384, 65_536, 262_144] as const;

export interface PoolOptions {
  /** Released buffers kept per size class; beyond this they are left to the GC. */
  maxFreePerClass?: number;
}

export class BufferPool {
  readonly #maxFree: number;
  readonly #free = new Map<number, Buffer[]>(SIZE_CLASSES.map((size) => [size, []]));
  readonly #lent = new WeakMap<Buffer, number>();

  constructor(options: PoolOptions = {}) {
    this.#maxFree = options.maxFreePerClass ?? 16;
  }

  acquire(minBytes: number): Buffer {
    const size = SIZE_CLASSES.find((candidate) => candidate >= minBytes);
    if (size === undefined) return Buffer.allocUnsafeSlow(minBytes);
    const buffer = this.#free.get(size)!.pop() ?? Buffer.allocUnsafeSlow(size);
    this.#lent.set(buffer, size);
    return buffer;
  }

  release(buffer: Buffer): void {
    const size = this.#lent.get(buffer);
    if (size === undefined) return;
    this.#lent.delete(buffer);
    const free = this.#free.get(size)!;
    if (free.length < this.#maxFree) free.push(buffer);
  }
}
