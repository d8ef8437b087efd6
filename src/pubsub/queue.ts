import { InvalidArgumentError } from '../core/index.js';
import { AsyncQueue, isPromiseLike } from '../runtime/index.js';
import { PubSubError } from './errors.js';
import type {
  OverflowPolicy,
  SubscriptionHandler,
  SubscriptionQueueOptions,
  SubscriptionQueueStats,
} from './types.js';

const POLICIES: readonly OverflowPolicy[] = ['drop-oldest', 'drop-newest', 'error'];

/**
 * Where a subscription's events wait for a slow consumer. Bounded (default 1024); when
 * full, the overflow policy decides: `'drop-oldest'` (default) makes room, `'drop-newest'`
 * refuses the new event, `'error'` refuses it and closes the queue with a `PubSubError`
 * `QUEUE_OVERFLOW`. Drops are counted in `dropped`. `push` never blocks nor throws: it
 * runs on the network's receive path.
 *
 * Two modes:
 * - iterator (no handler): read with `for await`; leaving the loop closes the queue.
 * - handler: each event goes to `handler`, one call at a time, in order; events arriving
 *   while it is busy wait in the buffer. A handler that throws or rejects is counted and
 *   reported to `onHandlerError`, and the next event goes on.
 *
 * After `close()` nothing more is accepted; what is buffered is still delivered.
 */
export class SubscriptionQueue<T> implements AsyncIterable<T> {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  private readonly buffer: AsyncQueue<T>;
  private readonly handler: SubscriptionHandler<T> | undefined;
  private readonly onHandlerError: (err: unknown, item: T) => void;
  private readonly onClose: (error?: unknown) => void;
  private running: Promise<void> | undefined;
  private closedFlag = false;
  private counts = { dropped: 0, delivered: 0, handlerErrors: 0 };

  constructor(opts: SubscriptionQueueOptions<T> = {}) {
    this.capacity = opts.capacity ?? 1024;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new InvalidArgumentError(`capacity must be a positive integer, got ${this.capacity}`);
    }
    this.overflow = opts.overflow ?? 'drop-oldest';
    if (!POLICIES.includes(this.overflow)) {
      throw new InvalidArgumentError(`overflow must be one of ${POLICIES.join(', ')}, got ${this.overflow}`);
    }
    this.buffer = new AsyncQueue<T>(this.capacity);
    this.handler = opts.handler;
    this.onHandlerError = opts.onHandlerError ?? (() => {});
    this.onClose = opts.onClose ?? (() => {});
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Events waiting in the buffer. */
  get pending(): number {
    return this.buffer.size;
  }

  /** Events lost to the overflow policy. */
  get dropped(): number {
    return this.counts.dropped;
  }

  /** Adds an event; false when it was not taken (closed, `'drop-newest'` or `'error'` when full). */
  push(item: T): boolean {
    if (this.closedFlag) return false;
    if (!this.buffer.push(item)) {
      this.counts.dropped++;
      if (this.overflow === 'drop-newest') return false;
      if (this.overflow === 'error') {
        this.close(
          new PubSubError(
            'QUEUE_OVERFLOW',
            `Subscription queue overflowed (capacity ${this.capacity}): the consumer is too slow`,
          ),
        );
        return false;
      }
      this.buffer.tryShift();
      this.buffer.push(item);
    }
    if (this.handler !== undefined && this.running === undefined) this.running = this.drain(this.handler);
    return true;
  }

  /**
   * Stops accepting events (idempotent). Buffered events are still delivered; a reader
   * then sees the end, or `error` when given. `onClose` is called once.
   */
  close(error?: unknown): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.buffer.close(error);
    try {
      this.onClose(error);
    } catch {
      // A failing owner callback must not break the producer that closed us.
    }
  }

  /** Resolves once the handler has nothing left to do (at once in iterator mode). Never rejects. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Iterator mode: waits for the next event; `done` once closed and drained. */
  async next(signal?: AbortSignal): Promise<IteratorResult<T>> {
    this.assertIterable();
    const r = await this.buffer.next(signal);
    if (r.done !== true) this.counts.delivered++;
    return r;
  }

  stats(): SubscriptionQueueStats {
    return { pending: this.buffer.size, ...this.counts, closed: this.closedFlag };
  }

  /** @throws PubSubError `NOT_ITERABLE` in handler mode. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    this.assertIterable();
    return {
      next: () => this.next(),
      return: async () => {
        // Leaving the loop ends the subscription: free what nobody will read.
        this.close();
        while (this.buffer.size > 0) this.buffer.tryShift();
        return { value: undefined, done: true };
      },
    };
  }

  private assertIterable(): void {
    if (this.handler !== undefined) {
      throw new PubSubError('NOT_ITERABLE', 'This subscription delivers to a handler: it cannot be iterated');
    }
  }

  private async drain(handler: SubscriptionHandler<T>): Promise<void> {
    // Why: the handler must not run on the producer's (network callback's) stack.
    await undefined;
    while (this.buffer.size > 0) {
      const item = this.buffer.tryShift() as T;
      this.counts.delivered++;
      try {
        // Awaited only when it returned a promise: a plain handler costs no promise per event.
        const r = handler(item);
        if (isPromiseLike(r)) await r;
      } catch (err) {
        this.counts.handlerErrors++;
        try {
          this.onHandlerError(err, item);
        } catch {
          // The error reporter itself failed: nothing more to tell anyone.
        }
      }
    }
    this.running = undefined;
  }
}
