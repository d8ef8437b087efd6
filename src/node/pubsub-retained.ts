/** Retained values: the last value per topic and publisher, kept in the DHT. */
import { isTopic } from '../core/index.js';
import type { DhtRecord } from '../dht/index.js';
import { decodeValue, encodeValue } from '../protocol/index.js';
import { PubSubError, type PubSubEvent } from '../pubsub/index.js';
import type { AbortOptions } from '../runtime/index.js';
import type { NodeDht } from './dht.js';
import { type PubBody, RETAINED_KEY_PREFIX } from './pubsub-wire.js';

/** Retained values live this long unless replaced (ms): a day. */
const RETAIN_TTL_MS = 86_400_000;
/** Room a DHT record's value leaves for a retained payload (4 096 minus the envelope). */
export const MAX_RETAINED_PAYLOAD = 4_000;

type Stored = [payload: Uint8Array, seq: number, timestamp: number];

/**
 * Each publisher keeps its last retained value of a topic as its own signed DHT record
 * under `pubsub:retained:<topic>` (replicated like every record); a subscriber reads every
 * publisher's and takes the newest by timestamp.
 */
export class RetainedStore {
  constructor(private readonly dht: NodeDht) {}

  /** Stores `body` as this node's retained value of its topic. */
  async put(body: PubBody, opts: AbortOptions): Promise<void> {
    if (body.p.byteLength > MAX_RETAINED_PAYLOAD)
      throw new PubSubError(
        'PAYLOAD_TOO_LARGE',
        `A retained payload is at most ${MAX_RETAINED_PAYLOAD} bytes encoded, got ${body.p.byteLength}`,
      );
    const value: Stored = [body.p, body.s, body.ts];
    await this.dht.put(RETAINED_KEY_PREFIX + body.t, encodeValue(value), { ...opts, ttlMs: RETAIN_TTL_MS });
  }

  /** The newest retained value of `topic`, if any publisher kept one. */
  async latest(topic: string, opts: AbortOptions = {}): Promise<PubSubEvent | undefined> {
    if (!isTopic(topic)) return undefined;
    const records = await this.dht.get(RETAINED_KEY_PREFIX + topic, opts);
    let best: PubSubEvent | undefined;
    for (const r of records) {
      const e = decode(topic, r);
      if (e && (!best || e.timestamp > best.timestamp)) best = e;
    }
    return best;
  }
}

/** A record's retained event, or undefined when it is not one (someone else's bad record). */
function decode(topic: string, r: DhtRecord): PubSubEvent | undefined {
  try {
    const v = decodeValue(r.value) as Stored;
    if (!Array.isArray(v) || !(v[0] instanceof Uint8Array) || !Number.isSafeInteger(v[1])) return undefined;
    if (typeof v[2] !== 'number') return undefined;
    return {
      topic,
      payload: decodeValue(v[0]),
      publisher: r.owner,
      seq: v[1],
      timestamp: v[2],
      retained: true,
    };
  } catch {
    return undefined;
  }
}
