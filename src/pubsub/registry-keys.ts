import { parseTopic } from '../core/index.js';
import type { Pattern } from './types.js';

/** DHT key prefix of exact subscriptions: `pubsub:exact:<topic>`. */
export const EXACT_KEY_PREFIX = 'pubsub:exact:';
/** DHT key prefix of every other subscription: `pubsub:prefix:<literal prefix>`. */
export const PREFIX_KEY_PREFIX = 'pubsub:prefix:';

/**
 * The DHT key a subscription to `p` is announced under: `pubsub:exact:<topic>` for an
 * exact pattern, else `pubsub:prefix:` + the segments before its first wildcard
 * (`sensor.*.temp` → `pubsub:prefix:sensor`, `**` → `pubsub:prefix:`). No realm in the
 * key: the DHT is already per realm and signs it.
 */
export function announceKey(p: Pattern): string {
  return p.match === 'exact'
    ? EXACT_KEY_PREFIX + p.segments.join('.')
    : PREFIX_KEY_PREFIX + p.literalPrefix.join('.');
}

/**
 * The DHT keys a publisher to `topic` reads to find every subscriber: the exact key,
 * then the prefix key of every leading run of segments, from the empty one to the
 * whole topic. `a.b` → `pubsub:exact:a.b`, `pubsub:prefix:`, `pubsub:prefix:a`,
 * `pubsub:prefix:a.b` (depth d → d + 2 keys). Whenever a pattern matches `topic`, its
 * `announceKey` is among them (the literal prefix of a match is a prefix of the topic).
 *
 * @throws InvalidTopicError when `topic` is not a valid topic.
 */
export function lookupKeys(topic: string): string[] {
  const t = parseTopic(topic);
  const keys = [EXACT_KEY_PREFIX + t, PREFIX_KEY_PREFIX];
  for (let dot = t.indexOf('.'); dot >= 0; dot = t.indexOf('.', dot + 1)) {
    keys.push(PREFIX_KEY_PREFIX + t.slice(0, dot));
  }
  keys.push(PREFIX_KEY_PREFIX + t);
  return keys;
}
