/** What pub/sub messages look like on the wire (channel PUBLISH frames and routed `pub` bodies). */
import { isTopic } from '../core/index.js';

/**
 * One published message: topic, payload (MessagePack bytes, encoded once per publish
 * whatever the fan-out), publisher's sequence number and wall-clock time, and `q: 1` when
 * the publisher wants an acknowledgement (at-least-once). The publisher is the channel's
 * authenticated peer, or the routed envelope's source.
 */
export interface PubBody {
  t: string;
  p: Uint8Array;
  s: number;
  ts: number;
  q: 0 | 1;
}

/** A channel `PUBACK` frame: the sequence numbers a subscriber acknowledges. */
export interface PubAck {
  s: number[];
}

/** Most acknowledgements in one PUBACK frame (the receiver reads no more). */
export const MAX_ACKS_PER_FRAME = 4096;

/** DHT key of a topic's retained values (one record per publisher). */
export const RETAINED_KEY_PREFIX = 'pubsub:retained:';

/** The body when `raw` is a well-formed one, else undefined. */
export function readPubBody(raw: unknown): PubBody | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const b = raw as Partial<PubBody>;
  if (!isTopic(b.t) || !(b.p instanceof Uint8Array)) return undefined;
  if (!Number.isSafeInteger(b.s) || (b.s as number) < 0 || typeof b.ts !== 'number') return undefined;
  if (b.q !== 0 && b.q !== 1) return undefined;
  return b as PubBody;
}

/** The acknowledged sequence numbers when `raw` is a well-formed PUBACK, else undefined. */
export function readPubAck(raw: unknown): number[] | undefined {
  const s = (raw as Partial<PubAck> | null)?.s;
  if (!Array.isArray(s) || s.length > MAX_ACKS_PER_FRAME) return undefined;
  return s.filter((x): x is number => Number.isSafeInteger(x));
}
