import { raceAbort } from './abort.js';

interface Waiter<T> {
  resolve: (r: IteratorResult<T>) => void;
  reject: (e: unknown) => void;
}

/**
 * A bounded FIFO between a producer that must never block (a network callback)
 * and consumers that await. `push` returns false when full so the producer applies
 * its own overflow policy; consumers read with {@link shift} or `for await`.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private head = 0;
  private waiters: Waiter<T>[] = [];
  private ended = false;
  private error: unknown = undefined;

  constructor(readonly capacity = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Adds an item; false when the queue is full or closed (the item is not taken). */
  push(item: T): boolean {
    if (this.ended) return false;
    const w = this.waiters.shift();
    if (w) {
      w.resolve({ value: item, done: false });
      return true;
    }
    if (this.size >= this.capacity) return false;
    this.items.push(item);
    return true;
  }

  /** Ends the queue: readers drain what is buffered, then see the end (or `error`). */
  close(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    for (const w of this.waiters.splice(0)) {
      if (error !== undefined) w.reject(error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  /** Takes the next item without waiting, or undefined. */
  tryShift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Waits for the next item; resolves `done` once closed and drained. */
  next(signal?: AbortSignal): Promise<IteratorResult<T>> {
    if (this.size > 0) return Promise.resolve({ value: this.tryShift()!, done: false });
    if (this.ended) {
      return this.error !== undefined
        ? Promise.reject(this.error)
        : Promise.resolve({ value: undefined, done: true });
    }
    let waiter!: Waiter<T>;
    const p = new Promise<IteratorResult<T>>((resolve, reject) => {
      waiter = { resolve, reject };
      this.waiters.push(waiter);
    });
    return raceAbort(p, signal, () => {
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: async () => ({ value: undefined, done: true }),
    };
  }
}
