// Wake every waiting producer when room appears, and have each one check again
// before it pushes: the check and the push happen with no await in between,
// so only as many get in as there is room for; the rest go back to waiting.
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private roomWaiters: Array<() => void> = [];
  private itemWaiters: Array<() => void> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
  }

  get size(): number {
    return this.items.length;
  }

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    this.items.push(item);
    this.wakeAll('item');
  }

  async pop(): Promise<T> {
    while (this.items.length === 0) {
      await new Promise<void>((resolve) => this.itemWaiters.push(resolve));
    }
    const item = this.items.shift()!;
    this.wakeAll('room');
    return item;
  }

  private wakeAll(what: 'room' | 'item'): void {
    const waiters = what === 'room' ? this.roomWaiters : this.itemWaiters;
    if (what === 'room') this.roomWaiters = [];
    else this.itemWaiters = [];
    for (const wake of waiters) wake();
  }
}
