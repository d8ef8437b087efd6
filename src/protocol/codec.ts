/**
 * The payload codec: MessagePack through msgpackr, configured for plain, interoperable
 * MessagePack (no records, no structured-clone references, which could build cycles).
 */
// The plain-JS entry points: msgpackr's main Node entry would load its native string
// extractor (msgpackr-extract), an N-API call per decoded buffer that made small frames
// (what a mesh mostly sends) ~25% slower end to end; it only pays off for large,
// string-heavy payloads.
import { addExtension, Packr, RESERVE_START_SPACE } from 'msgpackr/pack';
import { Unpackr } from 'msgpackr/unpack';
import { asProtocolError, ProtocolError } from './errors.js';

const packr = new Packr({ useRecords: false, structuredClone: false });

/**
 * Refused instead of sent wrong: msgpackr writes typed arrays other than Uint8Array as a
 * `bin` of the wrong length filled from its scratch buffer (corrupt, and it can leak bytes
 * of earlier messages), and functions as `undefined` (silently lost data). Only
 * `Uint8Array`/`Buffer` is binary on the wire.
 */
const REFUSED: { Class: new (...args: never[]) => unknown; why: string }[] = [
  ...[
    Int8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
    DataView,
  ].map((Class) => ({
    Class,
    why: `${Class.name} cannot be sent: only Uint8Array is binary (wrap its buffer in a Uint8Array)`,
  })),
  { Class: Function, why: 'functions cannot be sent' },
];
for (const [i, { Class, why }] of REFUSED.entries()) {
  addExtension({
    Class,
    type: 0x60 + i, // never written: the write throws
    write() {
      throw new TypeError(why);
    },
  });
}

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
  return unpackWith(unpackr, src, start, end);
}

function unpackWith(u: Unpackr, src: Uint8Array, start: number, end: number): unknown {
  if (end <= start) throw new ProtocolError('BAD_PAYLOAD', 'empty payload');
  let value: unknown;
  try {
    // msgpackr throws on trailing bytes and on truncation; both are BAD_PAYLOAD.
    value = u.unpack(src, { start, end });
  } catch (e) {
    throw asProtocolError(e, 'BAD_PAYLOAD', 'invalid MessagePack payload');
  }
  // msgpackr decodes the never-used byte 0xc1 to a marker object instead of failing.
  if (end - start === 1 && src[start] === 0xc1) {
    throw new ProtocolError('BAD_PAYLOAD', 'payload is the never-used byte 0xc1');
  }
  return value;
}

/**
 * Encodes an application value with the protocol's codec, for layers that carry
 * pre-encoded payloads (pub/sub encodes once per publish, whatever the fan-out).
 * @throws ProtocolError `BAD_PAYLOAD` for a value MessagePack cannot hold.
 */
export function encodeValue(value: unknown): Uint8Array {
  return packReserved(value, 0);
}

/** Decodes what {@link encodeValue} produced. @throws ProtocolError `BAD_PAYLOAD` */
export function decodeValue(bytes: Uint8Array): unknown {
  return unpackExact(bytes, 0, bytes.byteLength);
}

/** Like `unpackr`, but binary in the result is a view into the source, not a copy. */
const viewUnpackr = new Unpackr({
  useRecords: false,
  structuredClone: false,
  mapsAsObjects: true,
  int64AsType: 'bigint',
  copyBuffers: false,
});

/**
 * Decodes bytes this process already owns outright (a copy made when their frame was
 * decoded, like a pub/sub message's payload bytes): binary in the result is a view into
 * `bytes` instead of another copy. Such a copy is a new ArrayBuffer, which costs more
 * than decoding a small message.
 * @throws ProtocolError `BAD_PAYLOAD`, as {@link decodeValue}.
 */
export function decodeOwnedValue(bytes: Uint8Array): unknown {
  const end = bytes.byteLength;
  // Views of a Buffer would be Buffers: binary always arrives as a plain Uint8Array.
  const src = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, end);
  return unpackWith(viewUnpackr, src, 0, end);
}
