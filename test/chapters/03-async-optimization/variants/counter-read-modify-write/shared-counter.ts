// A counter that worker threads share: every thread increments the same
// memory, and the main thread reads a total and a per-second rate.
// Threads share a SharedArrayBuffer; Atomics makes each increment indivisible.

export interface CounterOptions {
  /** Clock in milliseconds. Injected so checks can move time. */
  now?: () => number;
}

// Slots in the shared memory (BigInt64, so the total cannot wrap at 2³¹).
const TOTAL = 0;
const SLOTS = 1;

// #region shared-counter
export class SharedCounter {
  private readonly cells: BigInt64Array;
  private readonly now: () => number;
  // The reader's previous look: the rate is what changed since then.
  private windowStart: number;
  private totalAtWindowStart: bigint;

  private constructor(readonly buffer: SharedArrayBuffer, options: CounterOptions) {
    this.cells = new BigInt64Array(buffer);
    this.now = options.now ?? (() => performance.now());
    this.windowStart = this.now();
    this.totalAtWindowStart = Atomics.load(this.cells, TOTAL);
  }

  /** A new counter at zero. */
  static create(options: CounterOptions = {}): SharedCounter {
    return new SharedCounter(new SharedArrayBuffer(SLOTS * BigInt64Array.BYTES_PER_ELEMENT), options);
  }

  /** The same counter in another thread: pass `counter.buffer` in workerData. */
  static attach(buffer: SharedArrayBuffer, options: CounterOptions = {}): SharedCounter {
    return new SharedCounter(buffer, options);
  }

  increment(by = 1): void {
    // One indivisible read-add-write: two threads can never both read 41 and write 42.
    // Shared memory, but a plain read, add and write: another thread can write in between.
    this.cells[TOTAL] = this.cells[TOTAL]! + BigInt(by);
  }

  total(): number {
    return Number(Atomics.load(this.cells, TOTAL));
  }

  /**
   * Increments per second since the previous call (since creation, the first
   * time): a window that restarts on every read, so an idle minute reads 0.
   */
  ratePerSecond(): number {
    const now = this.now();
    const total = Atomics.load(this.cells, TOTAL);
    const elapsedMs = now - this.windowStart;
    const rate = elapsedMs > 0 ? (Number(total - this.totalAtWindowStart) * 1000) / elapsedMs : 0;
    this.windowStart = now;
    this.totalAtWindowStart = total;
    return rate;
  }
}
// #endregion shared-counter
