// A counter that worker threads share: every thread increments the same
// memory, and the main thread reads a total and a per-second rate. A port of
// the guide's LockFreeCounter. Read lesson.mdx beside this file, then run:
// npm run chapter 3

export interface CounterOptions {
  /** Clock in milliseconds. Injected so checks can move time. */
  now?: () => number;
}

// Slots in the shared memory (BigInt64, so the total cannot wrap at 2³¹).
const TOTAL = 0;
const LAST_RESET = 1;
const SLOTS = 2;

// #region shared-counter
export class SharedCounter {
  private readonly cells: BigInt64Array;
  private readonly now: () => number;

  private constructor(readonly buffer: SharedArrayBuffer, options: CounterOptions) {
    this.cells = new BigInt64Array(buffer);
    this.now = options.now ?? (() => performance.now());
  }

  /** A new counter at zero. */
  static create(options: CounterOptions = {}): SharedCounter {
    const counter = new SharedCounter(new SharedArrayBuffer(SLOTS * BigInt64Array.BYTES_PER_ELEMENT), options);
    Atomics.store(counter.cells, LAST_RESET, BigInt(Math.round(counter.now())));
    return counter;
  }

  /** The same counter in another thread: pass `counter.buffer` in workerData. */
  static attach(buffer: SharedArrayBuffer, options: CounterOptions = {}): SharedCounter {
    return new SharedCounter(buffer, options);
  }

  increment(by = 1): void {
    Atomics.add(this.cells, TOTAL, BigInt(by));
  }

  total(): number {
    return Number(Atomics.load(this.cells, TOTAL));
  }

  ratePerSecond(): number {
    const now = this.now();
    const lastReset = Number(Atomics.load(this.cells, LAST_RESET));
    const count = this.total();
    const seconds = (now - lastReset) / 1000;
    return seconds > 0 ? count / seconds : 0;
  }
}
// #endregion shared-counter
