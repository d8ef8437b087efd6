/**
 * Wire constants and the primitive fields of the membership codec, in both directions:
 * `read*` validate a decoded MessagePack value, `to*` check and convert an outgoing one.
 * Both enforce the same rules, so a packet this node encodes is one every peer accepts.
 */
// Plain-JS msgpackr entries, configured like src/protocol/codec.ts (no records, no
// structured clone). Extensions (Date, Set, typed arrays…) can still be decoded, so every
// decoded value is type-checked field by field and anything unexpected is MALFORMED.
import { Packr } from 'msgpackr/pack';
import { Unpackr } from 'msgpackr/unpack';
import type { Address } from '../transport/index.js';
import { MembershipWireError, malformed } from './codec-error.js';

/** First byte of every membership datagram; bit 0x40 is clear so the QUIC router hands it over. */
export const MEMBERSHIP_MAGIC = 0x1d;
/** Second byte: the membership wire version. */
export const MEMBERSHIP_WIRE_VERSION = 1;
/** Bytes of the Ed25519 signature that ends every packet. */
export const SIGNATURE_BYTES = 64;
/** Largest datagram accepted or produced. */
export const MAX_PACKET_BYTES = 64 * 1024;
/** Most updates one packet may carry. */
export const MAX_UPDATES_PER_PACKET = 64;
/** Most characters (UTF-16 units) in a member name. */
export const MAX_NAME_LENGTH = 64;
/** Most characters in an address host (a DNS name's limit). */
export const MAX_HOST_LENGTH = 253;
/** Incarnations and sequence numbers are unsigned 32-bit. */
export const MAX_U32 = 0xffff_ffff;
export const ID_BYTES = 32;
export const KEY_BYTES = 32;

/** Message kinds by wire number (the index). */
export const MESSAGE_KINDS = ['ping', 'ack', 'ping-req', 'nack', 'gossip'] as const;
/** Update kinds and member states by wire number (the index): the same four names. */
export const UPDATE_KINDS = ['alive', 'suspect', 'dead', 'left'] as const;
export const STATE_KINDS = UPDATE_KINDS;

export const packr = new Packr({ useRecords: false, structuredClone: false });
// copyBuffers stays off: ids become hex at once and keys are copied by readKey.
const unpackr = new Unpackr({ useRecords: false, structuredClone: false, mapsAsObjects: true });

/** Exactly one MessagePack value from `src[start, end)`, or MALFORMED. */
export function unpackBody(src: Uint8Array, start: number, end: number): unknown {
  if (end <= start) throw malformed('empty body');
  try {
    return unpackr.unpack(src, { start, end });
  } catch (e) {
    throw new MembershipWireError('MALFORMED', `invalid MessagePack: ${(e as Error)?.message}`, { cause: e });
  }
}

/** MessagePack of `value` as a view into msgpackr's slab: copy it before the next pack. */
export function packBody(value: unknown): Uint8Array {
  try {
    return packr.pack(value);
  } catch (e) {
    throw new MembershipWireError('MALFORMED', `cannot encode: ${(e as Error)?.message}`, { cause: e });
  }
}

// Printable ASCII without spaces: IP literals (with zone ids) and DNS names all fit, and
// one character is one byte, which keeps size accounting simple.
const HOST_RE = /^[\x21-\x7e]{1,253}$/;
const HEX_ID_RE = /^[0-9a-f]{64}$/;

function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_U32;
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff;
}

function isName(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_NAME_LENGTH;
}

function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** `v` as an array of exactly `min`…`max` elements. */
export function readTuple(v: unknown, min: number, max: number, what: string): unknown[] {
  if (!Array.isArray(v) || v.length < min || v.length > max) {
    const got = Array.isArray(v) ? `${v.length} elements` : typeof v;
    throw malformed(`${what}: expected ${min === max ? min : `${min}-${max}`} elements, got ${got}`);
  }
  return v;
}

/** A 32-byte id as 64 lowercase hex characters. */
export function readId(v: unknown, what: string): string {
  if (!(v instanceof Uint8Array) || v.length !== ID_BYTES)
    throw malformed(`${what}: not a ${ID_BYTES}-byte id`);
  return hexOf(v);
}

/** A 32-byte raw key, copied so it does not pin the datagram. */
export function readKey(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== KEY_BYTES)
    throw malformed(`${what}: not a ${KEY_BYTES}-byte key`);
  return Uint8Array.from(v);
}

export function readU32(v: unknown, what: string): number {
  if (!isU32(v)) throw malformed(`${what}: not an integer in 0..${MAX_U32}`);
  return v;
}

/** A message / update / state kind number, as its name. */
export function readKind<K extends string>(v: unknown, kinds: readonly K[], what: string): K {
  const k = typeof v === 'number' && Number.isInteger(v) ? kinds[v] : undefined;
  if (k === undefined) throw malformed(`unknown ${what} kind ${String(v)}`);
  return k;
}

export function readAddr(v: unknown, what: string): Address {
  const [host, port] = readTuple(v, 2, 2, what);
  if (typeof host !== 'string' || !HOST_RE.test(host)) throw malformed(`${what}: bad host`);
  if (!isPort(port)) throw malformed(`${what}: bad port`);
  return { host, port };
}

export function readName(v: unknown, what: string): string {
  if (!isName(v)) throw malformed(`${what}: name is not a string of at most ${MAX_NAME_LENGTH} characters`);
  return v;
}

/** A 64-character lowercase hex id as its 32 bytes. */
export function toId(hex: string, what: string): Uint8Array {
  if (typeof hex !== 'string' || !HEX_ID_RE.test(hex))
    throw malformed(`${what}: not a 64-character lowercase hex id`);
  return Buffer.from(hex, 'hex');
}

export function toKey(key: Uint8Array, what: string): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES)
    throw malformed(`${what}: not a ${KEY_BYTES}-byte key`);
  return key;
}

export function toU32(n: number, what: string): number {
  return readU32(n, what);
}

export function toAddr(a: Address, what: string): [string, number] {
  if (typeof a !== 'object' || a === null) throw malformed(`${what}: not an address`);
  const { host, port } = readAddr([a.host, a.port], what);
  return [host, port];
}

export function toName(name: string, what: string): string {
  return readName(name, what);
}

/** The wire number of `kind` in `kinds`, or MALFORMED. */
export function toKind<K extends string>(kind: K, kinds: readonly K[], what: string): number {
  const i = kinds.indexOf(kind);
  if (i < 0) throw malformed(`unknown ${what} kind ${String(kind)}`);
  return i;
}
