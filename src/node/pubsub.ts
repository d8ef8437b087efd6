import { InvalidArgumentError, MaculaError, parseTopic, TimeoutError } from '../core/index.js';
import { encodeValue, FrameType } from '../protocol/index.js';
import {
  type PublishOptions,
  type PublishReceipt,
  PubSubError,
  type PubSubEvent,
  type PubSubStats,
  parsePattern,
  Sequencer,
  type SubscribeOptions,
  type SubscriptionHandler,
} from '../pubsub/index.js';
import { type Clock, type Random, TurnBudget, throwIfAborted, withDeadline } from '../runtime/index.js';
import type { PeerChannels } from './channels.js';
import type { NodeDht } from './dht.js';
import { PubSubInbound } from './pubsub-inbound.js';
import { LocalSubscriptions, type Subscription } from './pubsub-local.js';
import { Outbox, type OutboxOptions } from './pubsub-outbox.js';
import { PubSubRegistry } from './pubsub-registry.js';
import { RetainedStore } from './pubsub-retained.js';
import { type PubBody, readPubAck } from './pubsub-wire.js';
import type { Router } from './router.js';
import type { RoutingHost } from './routing.js';
import type { NodeLogger } from './types.js';

/** Pub/sub options of a node (`NodeOptions.pubsub`). */
export interface NodePubSubOptions extends OutboxOptions {
  /** Largest payload once MessagePack-encoded (bytes). Default 1 MiB. */
  maxPayloadBytes?: number;
  /** How long a publisher reuses a topic's subscriber list before asking the DHT again (ms). Default 1 000. */
  subscriberCacheMs?: number;
  /** Routed at-most-once messages in flight before more are dropped (counted). Default 4 096. */
  maxRoutedInFlight?: number;
  /** Wall clock for timestamps and sequence numbers (ms since the epoch). Default `Date.now`. */
  wallClock?: () => number;
}

const DEFAULT_ACK_TIMEOUT_MS = 10_000;

/**
 * Publish/subscribe across the mesh. Subscriptions are announced in the DHT registry;
 * a publish goes only to the nodes whose announced patterns match, over the persistent
 * channel when connected to them (in order, batched) or routed hop by hop otherwise.
 * At-least-once deliveries are retried from a bounded outbox until acknowledged;
 * receivers drop duplicates by (publisher, sequence number).
 */
export class NodePubSub {
  private readonly local: LocalSubscriptions;
  private readonly registry: PubSubRegistry;
  private readonly retained: RetainedStore;
  private readonly outbox: Outbox;
  private readonly sequencer: Sequencer;
  /** Retained reads waiting for this node's first peer. */
  private peerWaiters: (() => void)[] = [];
  private readonly maxPayloadBytes: number;
  private readonly maxRoutedInFlight: number;
  private readonly wallClock: () => number;
  private routedInFlight = 0;
  private stopped = false;
  private readonly counts = { published: 0, sendFailures: 0 };
  private readonly inbound: PubSubInbound;
  private readonly turns: TurnBudget;

  /** Encoded PUBLISH frames of the at-least-once messages the outbox holds. */
  private readonly frames = new WeakMap<PubBody, Uint8Array>();

  constructor(
    private readonly host: RoutingHost,
    private readonly router: Router,
    private readonly channels: PeerChannels,
    dht: NodeDht,
    private readonly o: {
      clock: Clock;
      random: Random;
      logger: NodeLogger;
      options?: NodePubSubOptions;
      /** Told of each target reached only through routes (it may get dialled). */
      routed?: (id: string) => void;
    },
  ) {
    const opts = o.options ?? {};
    this.maxPayloadBytes = opts.maxPayloadBytes ?? 1024 * 1024;
    this.maxRoutedInFlight = opts.maxRoutedInFlight ?? 4096;
    this.wallClock = opts.wallClock ?? Date.now;
    this.turns = new TurnBudget(o.clock);
    this.sequencer = new Sequencer({ wallClock: this.wallClock });
    this.local = new LocalSubscriptions(o.logger);
    this.registry = new PubSubRegistry(dht, {
      clock: o.clock,
      random: o.random,
      logger: o.logger,
      cacheTtlMs: opts.subscriberCacheMs ?? 1_000,
    });
    this.retained = new RetainedStore(dht);
    this.outbox = new Outbox(
      o.clock,
      o.random,
      (target, body) => this.attempt(target, body as PubBody),
      opts,
    );
    this.inbound = new PubSubInbound(host, channels, this.local, (err, t) => this.failed(err, t));
    channels.handle(FrameType.PUBLISH, (payload, peerId) => {
      this.inbound.receive(peerId, payload, true);
    });
    channels.handle(FrameType.PUBACK, (payload, peerId) => {
      for (const s of readPubAck(payload) ?? []) this.outbox.ack(peerId, s);
    });
    router.handle('pub', async ({ envelope, body }) => {
      if (!this.inbound.receive(envelope.src, body, false))
        throw new PubSubError('MALFORMED', 'Malformed pub/sub message');
      return undefined;
    });
  }

  /** Subscribes to `pattern` (see docs/pubsub.md for the syntax). */
  subscribe<T = unknown>(
    pattern: string,
    handler?: SubscriptionHandler<PubSubEvent<T>>,
    opts: SubscribeOptions = {},
  ): Subscription<T> {
    if (this.stopped) throw new MaculaError('NOT_RUNNING', 'Node is not running');
    const p = parsePattern(pattern, opts.match ? { match: opts.match } : {});
    let sub: Subscription<T> | undefined;
    // Announced only if still open when the announcement starts; withdrawn only if announced.
    let announced = false;
    const announce = async () => {
      if (!sub || sub.closed) return;
      announced = true;
      await this.registry.add(p);
      if (p.match !== 'exact' || opts.retained === false) return;
      const read = async () => {
        const event = await this.retained.latest(p.segments.join('.')).catch((err: unknown) => {
          this.o.logger.debug({ err, topic: p.source }, 'pubsub: reading the retained value failed');
          return undefined;
        });
        if (event && sub && !sub.closed) sub.queue.push(event as PubSubEvent<T>);
      };
      // A node with no peer yet (just started) would read an empty DHT: it reads once it
      // has one instead, without holding `ready` (a node may stay alone for good).
      if (this.host.connectedIds()[Symbol.iterator]().next().done) {
        this.peerWaiters.push(() => {
          read().catch(() => {});
        });
        return;
      }
      await read();
    };
    sub = this.local.open<T>(p, handler, opts, announce, () => {
      if (announced && !this.stopped) this.registry.remove(p).catch(() => {});
    });
    return sub;
  }

  /** Publishes `payload` on `topic` to every node subscribed to it. */
  async publish(topic: string, payload: unknown, opts: PublishOptions = {}): Promise<PublishReceipt> {
    const turn = this.turns.spend();
    if (turn) await turn;
    if (this.stopped) throw new MaculaError('NOT_RUNNING', 'Node is not running');
    parseTopic(topic);
    const qos = opts.ack ? 'at-least-once' : (opts.qos ?? 'at-most-once');
    if (qos !== 'at-most-once' && qos !== 'at-least-once')
      throw new InvalidArgumentError(`qos must be 'at-most-once' or 'at-least-once', got ${String(qos)}`);
    throwIfAborted(opts.signal);
    const p = this.encode(payload);
    const body: PubBody = {
      t: topic,
      p,
      s: this.sequencer.next(),
      ts: this.wallClock(),
      q: qos === 'at-least-once' ? 1 : 0,
    };
    this.counts.published++;
    const self = this.host.selfId;
    if (opts.retain) await this.retained.put(body, opts);
    const listed = this.registry.subscribers(topic, opts.signal);
    const found = listed instanceof Promise ? await listed : listed;
    const targets: string[] = [];
    // Records of dead nodes outlive them (until their TTL): membership has the last word.
    for (const id of found) if (id !== self && this.host.isAlive(id) !== false) targets.push(id);
    if (body.q === 0) {
      const local = this.deliverLocally(body, payload);
      let frame: Uint8Array | undefined; // encoded once for every connected target
      for (const t of targets) {
        const conn = this.host.connection(t);
        if (!conn) {
          this.attempt(t, body);
          continue;
        }
        frame ??= this.channels.encode(FrameType.PUBLISH, body);
        try {
          // Queued at once when there is room: no promise per target on the common path.
          if (!this.channels.offer(conn, t, frame)) await this.channels.sendFrame(conn, t, frame);
        } catch (err) {
          this.failed(err, t);
        }
      }
      return { seq: body.s, subscribers: targets, local };
    }
    // Queued first: OUTBOX_FULL rejects the publish before anything is delivered, even here.
    if (!opts.ack) this.outbox.add(targets, body.s, body);
    const acked = opts.ack ? this.acked(targets, body, opts) : undefined;
    const local = this.deliverLocally(body, payload);
    await acked;
    return { seq: body.s, subscribers: targets, local };
  }

  /** A peer connected: retained reads that waited for one run now. */
  peerConnected(): void {
    if (this.peerWaiters.length === 0) return;
    const waiting = this.peerWaiters;
    this.peerWaiters = [];
    // After the current tick: the peer's routing-table entry lands first.
    setImmediate(() => {
      for (const w of waiting) w();
    });
  }

  /**
   * Membership lost a node: forget its subscriptions. Deliveries to a node that left are
   * abandoned; to one declared dead they are retried until they expire, since a live node
   * wrongly declared dead (an overloaded one) refutes and comes back.
   */
  nodeGone(id: string, left: boolean): void {
    this.registry.dropNode(id);
    if (left) this.outbox.dropTarget(id);
  }

  stop(): void {
    this.stopped = true;
    this.inbound.stopped = true;
    this.peerWaiters = [];
    this.registry.stop();
    this.outbox.stop();
    this.local.closeAll(); // readers' loops end normally
  }

  stats(): PubSubStats {
    const { published, sendFailures } = this.counts;
    return {
      subscriptions: this.local.size,
      published,
      ...this.inbound.counts,
      sendFailures,
      overflowed: this.local.overflowCount(),
      outbox: this.outbox.stats(),
    };
  }

  private encode(payload: unknown): Uint8Array {
    let p: Uint8Array;
    try {
      p = encodeValue(payload);
    } catch (cause) {
      throw new InvalidArgumentError('The payload cannot be encoded as MessagePack', { cause });
    }
    if (p.byteLength > this.maxPayloadBytes)
      throw new PubSubError(
        'PAYLOAD_TOO_LARGE',
        `The payload is ${p.byteLength} bytes encoded, over the limit of ${this.maxPayloadBytes}`,
      );
    return p;
  }

  /** Resolves once every target acknowledged; else rejects NOT_ACKED naming the others. */
  private acked(targets: string[], body: PubBody, opts: PublishOptions): Promise<void> {
    const waiting = new Set(targets);
    if (waiting.size === 0) return Promise.resolve();
    let allDone!: () => void;
    const done = new Promise<void>((r) => {
      allDone = r;
    });
    const failed = new Set<string>();
    this.outbox.add(targets, body.s, body, (t, ok) => {
      waiting.delete(t);
      if (!ok) failed.add(t);
      if (waiting.size === 0) allDone();
    });
    const timeoutMs = opts.timeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    return withDeadline(
      this.o.clock,
      { signal: opts.signal, timeoutMs },
      `publish ${body.t}`,
      async (sig) => {
        const aborted = new Promise<void>((r) => sig?.addEventListener('abort', () => r(), { once: true }));
        await Promise.race([done, aborted]);
        if (sig?.aborted && !(sig.reason instanceof TimeoutError)) throwIfAborted(sig);
        const missing = [...waiting, ...failed];
        if (missing.length > 0)
          throw new PubSubError(
            'NOT_ACKED',
            `${missing.length} of ${targets.length} subscribers did not acknowledge ${body.t}#${body.s}`,
            { missing },
          );
      },
    );
  }

  /** One delivery attempt that reports failures instead of throwing (the outbox retries). */
  private attempt(target: string, body: PubBody): void {
    const conn = this.host.connection(target);
    if (conn) {
      if (!this.channels.trySendFrame(conn, target, this.frameOf(body))) this.counts.sendFailures++;
      return;
    }
    this.o.routed?.(target);
    if (body.q === 0 && this.routedInFlight >= this.maxRoutedInFlight) {
      this.counts.sendFailures++;
      return;
    }
    this.routedInFlight++;
    this.router
      .send(target, 'pub', body, { timeoutMs: 10_000 })
      .then(
        () => {
          if (body.q === 1) this.outbox.ack(target, body.s);
        },
        (err: unknown) => this.failed(err, target),
      )
      .finally(() => {
        this.routedInFlight--;
      });
  }

  private failed(err: unknown, target: string): void {
    this.counts.sendFailures++;
    this.o.logger.debug({ err, target: target.slice(0, 8) }, 'pubsub: a delivery attempt failed');
  }

  /** Queues a publish on this node's own matching subscriptions (no event built when there are none). */
  private deliverLocally(body: PubBody, payload: unknown): number {
    if (this.local.size === 0) return 0;
    const event: PubSubEvent = {
      topic: body.t,
      payload,
      publisher: this.host.selfId,
      seq: body.s,
      timestamp: body.ts,
    };
    return this.local.deliver(event);
  }

  /** The PUBLISH frame of `body`, encoded once for every target and retry (while the outbox holds it). */
  private frameOf(body: PubBody): Uint8Array {
    let f = this.frames.get(body);
    if (f === undefined) {
      f = this.channels.encode(FrameType.PUBLISH, body);
      this.frames.set(body, f);
    }
    return f;
  }
}
