// Instrumented fake I/O for concurrency checks: it counts how many calls are
// in flight at once, and when each one started and finished, so checks grade
// peak concurrency and ordering on counts rather than on timings.
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';

export interface FakeIoOptions {
  /** How long a call takes, per item (vary it to make calls finish out of order). */
  delayMs: (index: number) => number;
  /** Items for which the call rejects. */
  failsOn?: (index: number) => boolean;
}

export function fakeIo({ delayMs, failsOn = () => false }: FakeIoOptions) {
  const stats = { inFlight: 0, peak: 0, calls: 0, started: [] as number[], finished: [] as number[] };
  return {
    stats,
    async call(item: number): Promise<string> {
      stats.calls++;
      stats.inFlight++;
      stats.peak = Math.max(stats.peak, stats.inFlight);
      stats.started.push(item);
      try {
        await sleep(delayMs(item));
        if (failsOn(item)) throw new Error(`upstream failed for item ${item}`);
        return `item ${item}`;
      } finally {
        stats.inFlight--;
        stats.finished.push(item);
      }
    },
  };
}

/** A batched upstream: counts round trips and how many were in flight at once. */
export function fakeRecordSource(delayMs = 2) {
  const stats = { oneCalls: 0, batchSizes: [] as number[], inFlight: 0, peak: 0 };
  const roundTrip = async <R>(work: () => R): Promise<R> => {
    stats.inFlight++;
    stats.peak = Math.max(stats.peak, stats.inFlight);
    try {
      await sleep(delayMs);
      return work();
    } finally {
      stats.inFlight--;
    }
  };
  const record = (id: string) => ({ id, name: `record ${id}` });
  return {
    stats,
    source: {
      fetchOne: (id: string) => {
        stats.oneCalls++;
        return roundTrip(() => record(id));
      },
      fetchBatch: (ids: readonly string[]) => {
        stats.batchSizes.push(ids.length);
        return roundTrip(() => ids.map(record));
      },
    },
  };
}

/**
 * Work that runs in small steps and honours an AbortSignal between them, the
 * way well-behaved I/O does (fetch, pg, timers with { signal }). The check
 * marks the moment the caller got its answer; any step finished after that
 * is work that kept burning after the deadline.
 */
export function steppedWork({ steps, stepMs }: { steps: number; stepMs: number }) {
  const stats = { stepsDone: 0, stepsAfterAnswer: 0, answered: false, sawSignal: false };
  return {
    stats,
    markAnswered() {
      stats.answered = true;
    },
    async run(signal: AbortSignal): Promise<string> {
      stats.sawSignal = signal instanceof AbortSignal;
      for (let i = 0; i < steps; i++) {
        await sleep(stepMs, undefined, { signal });
        stats.stepsDone++;
        if (stats.answered) stats.stepsAfterAnswer++;
      }
      return 'finished';
    },
  };
}

/** The queue operations the bounded-queue drill needs. */
interface QueueLike<T> {
  readonly size: number;
  push(item: T): Promise<void>;
  pop(): Promise<T>;
}

/**
 * 50 producers push 20 items each into a queue while one consumer takes all
 * 1000, yielding every 10 items so producers pile up. Returns the largest size
 * seen: a queue with backpressure never exceeds its capacity.
 */
export async function drainWithManyProducers(queue: QueueLike<number>): Promise<number> {
  let peak = 0;
  const look = () => (peak = Math.max(peak, queue.size));
  const producers = Array.from({ length: 50 }, async (_, p) => {
    for (let i = 0; i < 20; i++) {
      await queue.push(p * 1000 + i);
      look();
    }
  });
  for (let taken = 0; taken < 1000; taken++) {
    await queue.pop();
    look();
    if (taken % 10 === 0) await setImmediate();
  }
  await Promise.all(producers);
  return peak;
}
