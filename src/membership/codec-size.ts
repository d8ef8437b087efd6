/**
 * Byte accounting for filling a datagram up to a budget. The figures mirror how msgpackr
 * packs (smallest integer and string headers, fixarray below 16 elements, bin8 for
 * 32-byte ids and keys); the property test in test/membership/codec.test.ts holds them to it.
 */
import { ID_BYTES, SIGNATURE_BYTES } from './codec-wire.js';
import type { SwimMessage, Update } from './types.js';

/** bin8 header + 32 bytes. */
const BIN32 = 2 + ID_BYTES;
/** Magic and version bytes. */
const PREFIX = 2;
/** The updates array header when it is largest (array16: 16 to 64 updates). */
const UPDATES_HEADER_MAX = 3;
const FIXARRAY = 1;
/** A kind number (message, update or state): one positive fixint byte. */
const KIND = 1;

/** Encoded size of a non-negative integer ≤ 2^32 - 1. */
function intSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x100) return 2;
  if (n < 0x1_0000) return 3;
  return 5;
}

/** Encoded size of a string: header + UTF-8 bytes (a lone surrogate is 3 bytes, as msgpackr writes it). */
function strSize(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  if (n < 0x20) return 1 + n;
  if (n < 0x100) return 2 + n;
  if (n < 0x1_0000) return 3 + n;
  return 5 + n;
}

function addrSize(a: { host: string; port: number }): number {
  return FIXARRAY + strSize(a.host) + intSize(a.port);
}

/** Exact number of bytes `u` adds to an encoded packet (assumes `u` is valid). */
export function updateSize(u: Update): number {
  const base = FIXARRAY + KIND + BIN32 + intSize(u.inc);
  switch (u.t) {
    case 'alive':
      return base + addrSize(u.addr) + BIN32 + (u.name === undefined ? 0 : strSize(u.name));
    case 'suspect':
    case 'dead':
      return base + BIN32;
    case 'left':
      return base;
  }
}

/**
 * Bytes of the packet for `msg` from the `realm` without its updates (`msg.updates` is
 * ignored): prefix, envelope, signature, and the largest updates-array header. So
 * `messageOverhead(realm, msg) + Σ updateSize(u) ≤ budget` guarantees the packet fits;
 * the bound is exact from 16 updates on and 2 bytes high below.
 */
export function messageOverhead(realm: string, msg: SwimMessage): number {
  // [realm, fromId, fromKey, type, seq?, ...fields, updates]
  let n = PREFIX + FIXARRAY + strSize(realm) + BIN32 + BIN32 + KIND;
  if (msg.t !== 'gossip') n += intSize(msg.seq);
  if (msg.t === 'ping') n += BIN32;
  else if (msg.t === 'ping-req') n += BIN32 + addrSize(msg.addr);
  return n + UPDATES_HEADER_MAX + SIGNATURE_BYTES;
}
