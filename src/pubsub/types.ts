/**
 * How a pattern matches topics:
 * - `exact`: the one topic it names;
 * - `wildcard`: `*` stands for exactly one segment, a final `**` for zero or more;
 * - `prefix`: the topic it names and every topic below it (seed compatibility).
 */
export type MatchMode = 'exact' | 'prefix' | 'wildcard';

/** Options of `parsePattern`. */
export interface PatternOptions {
  /** Default: `'wildcard'` when the pattern has a `*` or `**` segment, else `'exact'`. */
  match?: MatchMode;
}

/** A validated subscription pattern (see `parsePattern`). Frozen. */
export interface Pattern {
  /** The pattern as given, e.g. `sensor.*`. */
  readonly source: string;
  /**
   * The effective mode: a `'wildcard'` pattern without wildcards is `'exact'`
   * (same topics, cheaper to announce).
   */
  readonly match: MatchMode;
  /**
   * Segments to match: literals plus `*` / `**` in wildcard mode; for prefix mode the
   * literal prefix (a trailing `.*` is stripped: `sensor.*` → `['sensor']`).
   */
  readonly segments: readonly string[];
  /** Segments before the first wildcard (all of them for exact and prefix patterns). */
  readonly literalPrefix: readonly string[];
}

/** Delivery guarantee asked by a publisher. */
export type Qos = 'at-most-once' | 'at-least-once';

/** One published message as a subscriber sees it. */
export interface PubSubEvent<T = unknown> {
  topic: string;
  payload: T;
  /** Publisher's node id. */
  publisher: string;
  /** Publisher's sequence number (see `Sequencer`); with `publisher`, identifies the message. */
  seq: number;
  /** Publisher's wall clock when it published, ms since the Unix epoch. */
  timestamp: number;
  /** True for a retained value delivered on subscribe (not a live message). */
  retained?: boolean;
}

/** Options of `node.publish`. */
export interface PublishOptions {
  /** Default `'at-most-once'`. `ack: true` implies `'at-least-once'`. */
  qos?: Qos;
  /**
   * Resolve only once every subscriber node found for the topic acknowledged the message;
   * reject with `PubSubError('NOT_ACKED')` naming the others after `ackTimeoutMs`.
   */
  ack?: boolean;
  /** Also keep this value as the topic's retained value (replicated in the DHT). */
  retain?: boolean;
  /** Deadline of `ack: true` (default 10 000 ms) and of the subscriber lookup. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What a publish did. */
export interface PublishReceipt {
  /** The message's sequence number. */
  seq: number;
  /** Remote subscriber nodes it was sent to. */
  subscribers: string[];
  /** Subscriptions on this node it was delivered to. */
  local: number;
}

/** Options of `node.subscribe`. */
export interface SubscribeOptions {
  /** How the pattern matches (see `MatchMode`); default from its syntax. */
  match?: MatchMode;
  /** Events buffered for a slow consumer. Default 1024. */
  capacity?: number;
  /** What a full buffer does. Default `'drop-oldest'`. */
  overflow?: OverflowPolicy;
  /** Deliver the topic's retained value first (exact patterns only). Default true. */
  retained?: boolean;
  /** Aborting it unsubscribes. */
  signal?: AbortSignal;
}

/** Pub/sub counters of a node. */
export interface PubSubStats {
  subscriptions: number;
  published: number;
  /** Messages received from other nodes (before dedup) and delivered to local subscriptions. */
  received: number;
  delivered: number;
  duplicates: number;
  /** Received messages that matched no local subscription (stale registry). */
  unmatched: number;
  /** Received messages refused as malformed. */
  malformed: number;
  /** Events lost to subscription overflow policies. */
  overflowed: number;
  /** Delivery attempts that failed or found the channel full (at-least-once ones are retried). */
  sendFailures: number;
  outbox: OutboxStats;
}

/** At-least-once deliveries of a publisher. */
export interface OutboxStats {
  /** Deliveries waiting for an acknowledgement now. */
  pending: number;
  acked: number;
  retries: number;
  /** Deliveries given up after the retry deadline. */
  expired: number;
  /** Deliveries dropped because the subscriber node left (a dead one is retried until expiry). */
  abandoned: number;
}

/** What a full subscription queue does with one more event. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'error';

/** Called with each event in handler mode; one call at a time, in order. */
export type SubscriptionHandler<T> = (item: T) => void | Promise<void>;

/** Options of `SubscriptionQueue`. */
export interface SubscriptionQueueOptions<T> {
  /** Events buffered (besides the one a handler is busy with). Default 1024. */
  capacity?: number;
  /** Default `'drop-oldest'`. */
  overflow?: OverflowPolicy;
  /** Handler mode: events go to this function instead of an async iterator. */
  handler?: SubscriptionHandler<T>;
  /** Told about each handler failure (after it is counted); must not throw (if it does, it is ignored). */
  onHandlerError?: (err: unknown, item: T) => void;
  /** Called once when the queue closes; `error` is set when it closed on overflow (`'error'` policy). */
  onClose?: (error?: unknown) => void;
}

/** Counters of one subscription queue. */
export interface SubscriptionQueueStats {
  /** Events waiting in the buffer. */
  pending: number;
  /** Events lost to the overflow policy. */
  dropped: number;
  /** Events handed to the handler or to a reader. */
  delivered: number;
  /** Handler calls that threw or rejected. */
  handlerErrors: number;
  closed: boolean;
}

/** Options of `DedupWindow`. */
export interface DedupOptions {
  /** Sequence numbers remembered per publisher below its highest one. Default 1024. */
  window?: number;
  /** Publishers tracked at once (least recently seen evicted first). Default 4096. */
  maxPublishers?: number;
}

/** Counters of a `DedupWindow`. */
export interface DedupStats {
  /** Publishers currently tracked. */
  publishers: number;
  /** Messages let through (first sight). */
  accepted: number;
  /** Messages suppressed because their seq was already seen. */
  duplicates: number;
  /** Messages suppressed because their seq fell below the window (too late to tell: treated as duplicates). */
  tooOld: number;
  /** Messages suppressed because their seq was not a non-negative safe integer. */
  invalid: number;
  /** Publishers evicted to stay within `maxPublishers`. */
  evicted: number;
}

/** Options of `Sequencer`. */
export interface SequencerOptions {
  /** Wall clock, ms since the Unix epoch (not the monotonic runtime `Clock`). Default `Date.now`. */
  wallClock?: () => number;
}
