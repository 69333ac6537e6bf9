// A queue between producers and consumers that holds at most `capacity` items.
// A producer that finds it full waits (backpressure) instead of piling more in.

// #region bounded-queue
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  /** Producers waiting for room, oldest first, each with the item it brought. */
  private readonly waitingProducers: Array<{ item: T; admitted: () => void }> = [];
  /** Consumers waiting for an item, oldest first. */
  private readonly waitingConsumers: Array<(item: T) => void> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
  }

  get size(): number {
    return this.items.length;
  }

  /** Resolves once the item is in the queue (or handed to a consumer). */
  push(item: T): Promise<void> {
    const consumer = this.waitingConsumers.shift();
    if (consumer) {
      consumer(item);
      return Promise.resolve();
    }
    // Check and insert in one synchronous step: nothing can run in between.
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return Promise.resolve();
    }
    // Full: shed the item instead of making the producer wait. Never over capacity.
    return Promise.resolve();
  }

  /** Resolves with the oldest item, waiting for one if the queue is empty. */
  pop(): Promise<T> {
    if (this.items.length === 0) {
      return new Promise((resolve) => this.waitingConsumers.push(resolve));
    }
    const item = this.items.shift()!;
    // The freed slot goes to exactly one waiting producer, here and now, so
    // no other producer can take it too.
    const producer = this.waitingProducers.shift();
    if (producer) {
      this.items.push(producer.item);
      producer.admitted();
    }
    return Promise.resolve(item);
  }
}
// #endregion bounded-queue
