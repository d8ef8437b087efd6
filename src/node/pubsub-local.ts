/** This node's subscriptions: a topic trie of bounded queues, one per subscription. */
import {
  type Pattern,
  type PubSubEvent,
  type SubscribeOptions,
  type SubscriptionHandler,
  SubscriptionQueue,
  type SubscriptionQueueStats,
  TopicTrie,
} from '../pubsub/index.js';
import type { NodeLogger } from './types.js';

/**
 * One subscription: an async iterable of events (or a handler gets them), bounded by its
 * queue's capacity and overflow policy. Ends on `unsubscribe()`, on abort of the signal
 * given to `subscribe`, or when the node stops.
 */
export class Subscription<T = unknown> implements AsyncIterable<PubSubEvent<T>> {
  /**
   * Settles once the subscription is announced to the mesh (publishers find it from then
   * on, after their subscriber cache expires). Rejects when it cannot be announced at all
   * (`TOO_MANY_PATTERNS`, node stopped); the subscription is then closed with that error.
   */
  readonly ready: Promise<void>;

  /** @internal */
  constructor(
    readonly pattern: Pattern,
    /** @internal */ readonly queue: SubscriptionQueue<PubSubEvent<T>>,
    ready: Promise<void>,
    private readonly end: () => void,
  ) {
    this.ready = ready;
    ready.catch(() => {}); // reported through the queue too; awaiting `ready` is optional
  }

  /** Stops the subscription: nothing more is queued; what is buffered is still delivered. */
  unsubscribe(): void {
    this.end();
  }

  get closed(): boolean {
    return this.queue.closed;
  }

  stats(): SubscriptionQueueStats {
    return this.queue.stats();
  }

  /** Iterates the events; leaving the loop unsubscribes. Throws `NOT_ITERABLE` in handler mode. */
  [Symbol.asyncIterator](): AsyncIterator<PubSubEvent<T>> {
    const it = this.queue[Symbol.asyncIterator]();
    return {
      next: () => it.next(),
      return: async () => {
        this.end();
        return it.return ? it.return() : { value: undefined, done: true };
      },
    };
  }
}

/** The subscriptions of one node, matched by topic. */
export class LocalSubscriptions {
  private readonly trie = new TopicTrie<Subscription>();
  private readonly all = new Set<Subscription>();
  private overflowed = 0;

  constructor(private readonly log: NodeLogger) {}

  get size(): number {
    return this.all.size;
  }

  /** Opens a subscription; `onEnd` runs once when it closes for any reason. */
  open<T>(
    pattern: Pattern,
    handler: SubscriptionHandler<PubSubEvent<T>> | undefined,
    opts: SubscribeOptions,
    announce: () => Promise<void>,
    onEnd: () => void,
  ): Subscription<T> {
    let sub: Subscription<T> | undefined;
    const { signal } = opts;
    const abort = () => queue.close();
    const queue = new SubscriptionQueue<PubSubEvent<T>>({
      capacity: opts.capacity,
      overflow: opts.overflow,
      handler,
      onHandlerError: (err, e) =>
        this.log.warn({ err, topic: e.topic, pattern: pattern.source }, 'subscription handler failed'),
      onClose: () => {
        if (!sub) return;
        signal?.removeEventListener('abort', abort);
        this.overflowed += queue.dropped;
        this.trie.remove(pattern, sub as Subscription);
        this.all.delete(sub as Subscription);
        onEnd();
      },
    });
    const ready = Promise.resolve().then(announce);
    sub = new Subscription<T>(pattern, queue, ready, () => queue.close());
    ready.catch((err: unknown) => queue.close(err));
    this.trie.add(pattern, sub as Subscription);
    this.all.add(sub as Subscription);
    if (signal?.aborted) queue.close();
    else signal?.addEventListener('abort', abort, { once: true });
    return sub;
  }

  /** Queues `event` on every matching subscription; returns how many took it. */
  deliver(event: PubSubEvent): number {
    let n = 0;
    for (const sub of this.trie.match(event.topic)) if (sub.queue.push(event)) n++;
    return n;
  }

  /** True when some subscription matches `topic`. */
  has(topic: string): boolean {
    return this.trie.match(topic).length > 0;
  }

  /** Events lost to overflow, closed subscriptions included. */
  overflowCount(): number {
    let n = this.overflowed;
    for (const s of this.all) n += s.queue.dropped;
    return n;
  }

  closeAll(err?: unknown): void {
    for (const s of [...this.all]) s.queue.close(err);
  }
}
