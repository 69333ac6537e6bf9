// Instrumented fake I/O for concurrency checks: it counts how many calls are
// in flight at once, and when each one started and finished, so checks grade
// peak concurrency and ordering on counts rather than on timings.
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';

/**
 * Fail with `message` if `work` has not settled within `ms`: a queue that
 * loses items leaves its consumers waiting for ever, and the check should say
 * so instead of timing out.
 */
export async function within<T>(ms: number, message: string, work: Promise<T>): Promise<T> {
  const controller = new AbortController();
  const expired = sleep(ms, undefined, { signal: controller.signal }).then(() => {
    throw new Error(message);
  });
  expired.catch(() => {});
  try {
    return await Promise.race([work, expired]);
  } finally {
    controller.abort();
  }
}

export interface FakeIoOptions {
  /** How long a call takes, per item (vary it to make calls finish out of order). */
  delayMs: (index: number) => number;
  /** Items for which the call rejects. */
  failsOn?: (index: number) => boolean;
}

export function fakeIo({ delayMs, failsOn = () => false }: FakeIoOptions) {
  const stats = {
    inFlight: 0,
    peak: 0,
    calls: 0,
    started: [] as number[],
    finished: [] as number[],
    /** Every start and finish, in the order they happened. */
    events: [] as Array<'start' | 'finish'>,
  };
  return {
    stats,
    async call(item: number): Promise<string> {
      stats.calls++;
      stats.inFlight++;
      stats.peak = Math.max(stats.peak, stats.inFlight);
      stats.started.push(item);
      stats.events.push('start');
      try {
        await sleep(delayMs(item));
        if (failsOn(item)) throw new Error(`upstream failed for item ${item}`);
        return `item ${item}`;
      } finally {
        stats.inFlight--;
        stats.finished.push(item);
        stats.events.push('finish');
      }
    },
  };
}

/**
 * Finishes that came while a slot freed by an earlier finish still stood empty
 * and items were still waiting: head-of-line blocking, counted. A sliding
 * window starts the next call as soon as one finishes, so a finish is always
 * followed by a start while work remains; a limiter that runs fixed chunks of
 * `limit` waits for a chunk's slowest call, and every other finish in the
 * chunk lands here.
 */
export function finishesWithIdleSlots(events: ReadonlyArray<'start' | 'finish'>, total: number): number {
  let started = 0;
  let emptySlots = 0;
  let idle = 0;
  for (const event of events) {
    if (event === 'start') {
      started++;
      if (emptySlots > 0) emptySlots--;
    } else {
      if (emptySlots > 0) idle++;
      if (started < total) emptySlots++;
    }
  }
  return idle;
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
 * Producers (50 unless told) push items (20 each) into a queue while one
 * consumer takes them all, yielding every 10 items so producers pile up.
 * Returns the largest size seen: a queue with backpressure never exceeds its
 * capacity.
 */
export async function drainWithManyProducers(
  queue: QueueLike<number>,
  { producers = 50, itemsEach = 20, timeoutMs = 3_000 }: { producers?: number; itemsEach?: number; timeoutMs?: number } = {},
): Promise<number> {
  let peak = 0;
  const look = () => (peak = Math.max(peak, queue.size));
  const pushing = Array.from({ length: producers }, async (_, p) => {
    for (let i = 0; i < itemsEach; i++) {
      await queue.push(p * 1000 + i);
      look();
    }
  });
  const consuming = (async () => {
    for (let taken = 0; taken < producers * itemsEach; taken++) {
      await queue.pop();
      look();
      if (taken % 10 === 0) await setImmediate();
    }
  })();
  const total = producers * itemsEach;
  await within(timeoutMs, `the consumer was still waiting after ${timeoutMs / 1000} s for some of ${total} items: did the queue lose any?`, Promise.all([consuming, ...pushing]));
  return peak;
}
