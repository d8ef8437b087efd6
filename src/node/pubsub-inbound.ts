/** The receiving side of pub/sub: duplicate suppression, local delivery, acknowledgements. */
import { decodeOwnedValue, FrameType } from '../protocol/index.js';
import { DedupWindow } from '../pubsub/index.js';
import { ChurnMap } from '../runtime/index.js';
import type { PeerChannels } from './channels.js';
import type { LocalSubscriptions } from './pubsub-local.js';
import { MAX_ACKS_PER_FRAME, readPubBody } from './pubsub-wire.js';
import type { RoutingHost } from './routing.js';

/** Counters of the receiving side (part of `PubSubStats`). */
export interface InboundCounts {
  received: number;
  delivered: number;
  duplicates: number;
  unmatched: number;
  malformed: number;
}

/**
 * Messages arriving from publishers (on a channel or routed): at-least-once ones are
 * acknowledged (one PUBACK per publisher and tick), duplicates dropped by (publisher,
 * sequence number), the rest queued on the matching local subscriptions.
 */
export class PubSubInbound {
  readonly counts: InboundCounts = { received: 0, delivered: 0, duplicates: 0, unmatched: 0, malformed: 0 };
  private readonly dedup = new DedupWindow();
  private readonly acks = new ChurnMap<string, number[]>();
  stopped = false;

  constructor(
    private readonly host: RoutingHost,
    private readonly channels: PeerChannels,
    private readonly local: LocalSubscriptions,
    /** A PUBACK could not be sent (counted and logged by the owner). */
    private readonly failed: (err: unknown, target: string) => void,
  ) {}

  /** A message from `publisher`; false when malformed. Never throws (network input). */
  receive(publisher: string, raw: unknown, viaChannel: boolean): boolean {
    const body = readPubBody(raw);
    if (!body) {
      this.counts.malformed++;
      return false;
    }
    this.counts.received++;
    if (body.q === 1 && viaChannel) this.queueAck(publisher, body.s);
    if (this.dedup.seen(publisher, body.s)) {
      this.counts.duplicates++;
      return true;
    }
    let payload: unknown;
    try {
      payload = decodeOwnedValue(body.p); // body.p is the frame decoder's copy: no second one
    } catch {
      this.counts.malformed++;
      return false;
    }
    const n = this.local.deliver({ topic: body.t, payload, publisher, seq: body.s, timestamp: body.ts });
    if (n === 0 && !this.local.has(body.t)) this.counts.unmatched++;
    this.counts.delivered += n;
    return true;
  }

  /** Acknowledgements to one publisher leave together at the end of the tick. */
  private queueAck(publisher: string, seq: number): void {
    const list = this.acks.get(publisher);
    if (list) {
      list.push(seq);
      return;
    }
    this.acks.set(publisher, [seq]);
    queueMicrotask(() => {
      const s = this.acks.get(publisher);
      this.acks.delete(publisher);
      const conn = this.host.connection(publisher);
      if (!s || !conn || this.stopped) return;
      for (let i = 0; i < s.length; i += MAX_ACKS_PER_FRAME) {
        const part = { s: s.slice(i, i + MAX_ACKS_PER_FRAME) };
        this.channels
          .send(conn, publisher, FrameType.PUBACK, part)
          .catch((err: unknown) => this.failed(err, publisher));
      }
    });
  }
}
