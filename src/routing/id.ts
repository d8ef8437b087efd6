import { quoteInput } from '../core/errors.js';
import type { Random } from '../runtime/index.js';
import { RoutingError } from './errors.js';

/** Bits in a node id; also the number of k-buckets. */
export const ID_BITS = 256;
const HEX64 = /^[0-9a-f]{64}$/;

/** True for a canonical node id: 64 lowercase hex characters. */
export function isNodeIdHex(v: unknown): v is string {
  return typeof v === 'string' && HEX64.test(v);
}

/** Returns `v` when it is a canonical node id, else throws `RoutingError('INVALID_ID')`. */
export function checkId(v: unknown, what = 'node id'): string {
  if (!isNodeIdHex(v))
    throw new RoutingError('INVALID_ID', `A ${what} is 64 lowercase hex characters, got ${quoteInput(v)}`);
  return v;
}

/**
 * An id with its first 64 bits pre-parsed: XOR comparisons almost always end within
 * them, so sorting by distance does not re-parse hex (the rest is read only on ties).
 */
export interface IdKey {
  readonly id: string;
  readonly w0: number;
  readonly w1: number;
}

/** 32-bit word `i` (0–7) of a hex id (hand-rolled: parseInt(slice) is several times slower). */
function word(id: string, i: number): number {
  let w = 0;
  for (let j = i * 8; j < i * 8 + 8; j++) {
    const c = id.charCodeAt(j);
    w = w * 16 + (c <= 57 ? c - 48 : c - 87); // '0'–'9', 'a'–'f'
  }
  return w;
}

/** The {@link IdKey} of a canonical id (not validated: call {@link checkId} first). */
export function idKey(id: string): IdKey {
  return { id, w0: word(id, 0), w1: word(id, 1) };
}

/** Negative when `a` is closer to `t` than `b` by XOR distance, 0 when equally close (same id). */
export function compareDistance(a: IdKey, b: IdKey, t: IdKey): number {
  let x = (a.w0 ^ t.w0) >>> 0;
  let y = (b.w0 ^ t.w0) >>> 0;
  if (x !== y) return x - y;
  x = (a.w1 ^ t.w1) >>> 0;
  y = (b.w1 ^ t.w1) >>> 0;
  if (x !== y) return x - y;
  for (let i = 2; i < 8; i++) {
    const tw = word(t.id, i);
    x = (word(a.id, i) ^ tw) >>> 0;
    y = (word(b.id, i) ^ tw) >>> 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** Leading bits `a` and `b` share (0–256): the k-bucket `b` falls in, seen from `a`. */
export function prefixLength(a: IdKey, b: IdKey): number {
  let x = (a.w0 ^ b.w0) >>> 0;
  if (x !== 0) return Math.clz32(x);
  x = (a.w1 ^ b.w1) >>> 0;
  if (x !== 0) return 32 + Math.clz32(x);
  for (let i = 2; i < 8; i++) {
    x = (word(a.id, i) ^ word(b.id, i)) >>> 0;
    if (x !== 0) return i * 32 + Math.clz32(x);
  }
  return ID_BITS;
}

/**
 * A random id in bucket `index` of `selfId`: it shares the first `index` bits with
 * `selfId` and differs at the next one (what a bucket refresh looks up).
 */
export function randomIdInBucket(selfId: string, index: number, random: Random): string {
  if (!Number.isInteger(index) || index < 0 || index >= ID_BITS) {
    throw new RangeError(`bucket index must be 0–${ID_BITS - 1}, got ${index}`);
  }
  const self = Buffer.from(selfId, 'hex');
  const out = Buffer.from(random.bytes(32));
  const byte = index >> 3;
  const bit = 0x80 >> (index & 7);
  self.copy(out, 0, 0, byte);
  const keep = (0xff00 >> (index & 7)) & 0xff; // bits before `bit` in this byte
  out[byte] = (self[byte]! & keep) | (~self[byte]! & bit) | (out[byte]! & ~keep & ~bit & 0xff);
  return out.toString('hex');
}
