// A queue between producers and consumers that holds at most `capacity` items.
// A port of the guide's LockFreeMessageQueue. Read lesson.mdx beside this
// file, then run: npm run chapter 3

// #region bounded-queue
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private space?: Promise<void>;
  private freeSpace?: () => void;
  private arrival?: Promise<void>;
  private announceArrival?: () => void;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Resolves once the item is in the queue. */
  async push(item: T): Promise<void> {
    // Full? Wait until a consumer makes room…
    if (this.items.length >= this.capacity) await this.roomFreed();
    // …then push.
    this.items.push(item);
    this.announceArrival?.();
  }

  /** Resolves with the oldest item, waiting for one if the queue is empty. */
  async pop(): Promise<T> {
    while (this.items.length === 0) await this.itemArrived();
    const item = this.items.shift()!;
    this.freeSpace?.();
    return item;
  }
  // #endregion bounded-queue

  private roomFreed(): Promise<void> {
    this.space ??= new Promise((resolve) => {
      this.freeSpace = () => {
        this.space = undefined;
        this.freeSpace = undefined;
        resolve();
      };
    });
    return this.space;
  }

  private itemArrived(): Promise<void> {
    this.arrival ??= new Promise((resolve) => {
      this.announceArrival = () => {
        this.arrival = undefined;
        this.announceArrival = undefined;
        resolve();
      };
    });
    return this.arrival;
  }
}
