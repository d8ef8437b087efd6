/**
 * The payload codec: MessagePack through msgpackr, configured for plain, interoperable
 * MessagePack (no records, no structured-clone references, which could build cycles).
 */
// The plain-JS entry points: msgpackr's main Node entry would load its native string
// extractor (msgpackr-extract), an N-API call per decoded buffer that made small frames
// (what a mesh mostly sends) ~25% slower end to end; it only pays off for large,
// string-heavy payloads.
import { Packr, RESERVE_START_SPACE } from 'msgpackr/pack';
import { Unpackr } from 'msgpackr/unpack';
import { asProtocolError, ProtocolError } from './errors.js';

const packr = new Packr({ useRecords: false, structuredClone: false });

/**
 * Decoding: maps become plain objects (msgpackr renames a `__proto__` key, so no
 * prototype pollution), 64-bit integers become bigints so they round-trip exactly, and
 * binary is copied so a frame never pins the (possibly large) chunk it arrived in.
 */
const unpackr = new Unpackr({
  useRecords: false,
  structuredClone: false,
  mapsAsObjects: true,
  int64AsType: 'bigint',
  copyBuffers: true,
});

/**
 * Packs `payload` leaving `reserve` (< 256) free bytes in front, so the header can be
 * written in place. The result is a view into msgpackr's slab (not reused for later packs).
 */
export function packReserved(payload: unknown, reserve: number): Uint8Array {
  try {
    return packr.pack(payload, RESERVE_START_SPACE | reserve);
  } catch (e) {
    throw asProtocolError(e, 'BAD_PAYLOAD', 'cannot encode payload as MessagePack');
  }
}

/** Decodes exactly one MessagePack value from `src[start, end)`; anything else is BAD_PAYLOAD. */
export function unpackExact(src: Uint8Array, start: number, end: number): unknown {
  if (end <= start) throw new ProtocolError('BAD_PAYLOAD', 'empty payload');
  let value: unknown;
  try {
    // msgpackr throws on trailing bytes and on truncation; both are BAD_PAYLOAD.
    value = unpackr.unpack(src, { start, end });
  } catch (e) {
    throw asProtocolError(e, 'BAD_PAYLOAD', 'invalid MessagePack payload');
  }
  // msgpackr decodes the never-used byte 0xc1 to a marker object instead of failing.
  if (end - start === 1 && src[start] === 0xc1) {
    throw new ProtocolError('BAD_PAYLOAD', 'payload is the never-used byte 0xc1');
  }
  return value;
}
