/**
 * The membership wire codec. A packet is one UDP datagram:
 *
 *   0x1D | version 1 | MessagePack body | Ed25519 signature (64 bytes) over all before it
 *
 * body = `[realm, fromId, fromKey, type, seq, ...fields, updates]` (gossip has no seq),
 * with ids and keys as 32 raw bytes, addresses as `[host, port]` and kinds as small
 * integers (codec-wire.ts, codec-update.ts). Fields: ping `target`, ping-req `target, addr`.
 * Push-pull state has its own unsigned codec (codec-sync.ts).
 */
import type { PacketSigner, PacketVerifier } from './auth.js';
import { MembershipWireError, malformed } from './codec-error.js';
import { readUpdate, updateToWire } from './codec-update.js';
import {
  MAX_PACKET_BYTES,
  MAX_UPDATES_PER_PACKET,
  MEMBERSHIP_MAGIC,
  MEMBERSHIP_WIRE_VERSION,
  MESSAGE_KINDS,
  packBody,
  readAddr,
  readId,
  readKey,
  readKind,
  readTuple,
  readU32,
  SIGNATURE_BYTES,
  toAddr,
  toId,
  toKey,
  toKind,
  toU32,
  unpackBody,
} from './codec-wire.js';
import type { SwimMessage, Update } from './types.js';

export { MembershipWireError, type MembershipWireErrorCode } from './codec-error.js';
export { messageOverhead, updateSize } from './codec-size.js';
export { DEFAULT_MAX_SYNC_ENTRIES, decodeSync, encodeSync } from './codec-sync.js';
export {
  MAX_HOST_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PACKET_BYTES,
  MAX_UPDATES_PER_PACKET,
  MEMBERSHIP_MAGIC,
  MEMBERSHIP_WIRE_VERSION,
} from './codec-wire.js';

/** Who sends a packet: realm, own node id (hex) and raw 32-byte Ed25519 public key. */
export interface PacketEnvelope {
  realm: string;
  from: string;
  key: Uint8Array;
}

export interface DecodePacketOptions {
  /** This node's realm: packets for any other are WRONG_REALM. */
  realm: string;
  /** Usually `createVerifier()` from auth.ts. */
  verify: PacketVerifier;
}

/** A decoded, authenticated packet. */
export interface DecodedPacket {
  /** Sender's node id (hex), bound to `key` and to the signature by the verifier. */
  from: string;
  key: Uint8Array;
  msg: SwimMessage;
}

const PREFIX_BYTES = 2;
const MAX_REALM_LENGTH = 253;
/** Envelope length per message kind: 4 fixed fields + seq + kind fields + updates. */
const ENVELOPE_LENGTH: Record<SwimMessage['t'], number> = {
  ping: 7,
  ack: 6,
  'ping-req': 8,
  nack: 6,
  gossip: 5,
};

/**
 * Encodes and signs `msg`. Throws {@link MembershipWireError}: MALFORMED for a value a
 * receiver would refuse, TOO_LARGE over 64 updates or 64 KiB, BAD_SIGNATURE when `sign`
 * does not return 64 bytes. {@link messageOverhead} and {@link updateSize} predict the size.
 */
export function encodePacket(env: PacketEnvelope, msg: SwimMessage, sign: PacketSigner): Uint8Array {
  if (typeof env.realm !== 'string' || env.realm.length > MAX_REALM_LENGTH) throw malformed('bad realm');
  if (!Array.isArray(msg.updates)) throw malformed('updates is not an array');
  if (msg.updates.length > MAX_UPDATES_PER_PACKET) {
    throw new MembershipWireError(
      'TOO_LARGE',
      `${msg.updates.length} updates, limit ${MAX_UPDATES_PER_PACKET}`,
    );
  }
  const w: unknown[] = [
    env.realm,
    toId(env.from, 'sender id'),
    toKey(env.key, 'sender key'),
    toKind(msg.t, MESSAGE_KINDS, 'message'),
  ];
  if (msg.t !== 'gossip') w.push(toU32(msg.seq, 'seq'));
  if (msg.t === 'ping') w.push(toId(msg.target, 'ping target'));
  else if (msg.t === 'ping-req')
    w.push(toId(msg.target, 'ping-req target'), toAddr(msg.addr, 'ping-req addr'));
  w.push(msg.updates.map(updateToWire));
  const body = packBody(w);
  const signedEnd = PREFIX_BYTES + body.length;
  if (signedEnd + SIGNATURE_BYTES > MAX_PACKET_BYTES) {
    throw new MembershipWireError('TOO_LARGE', `packet of ${signedEnd + SIGNATURE_BYTES} bytes`);
  }
  const out = new Uint8Array(signedEnd + SIGNATURE_BYTES);
  out[0] = MEMBERSHIP_MAGIC;
  out[1] = MEMBERSHIP_WIRE_VERSION;
  out.set(body, PREFIX_BYTES);
  const sig = sign(out.subarray(0, signedEnd));
  if (!(sig instanceof Uint8Array) || sig.length !== SIGNATURE_BYTES) {
    throw new MembershipWireError('BAD_SIGNATURE', 'the signer did not return a 64-byte signature');
  }
  out.set(sig, signedEnd);
  return out;
}

/**
 * Decodes and authenticates a packet. Throws only {@link MembershipWireError} (unless
 * `verify` itself throws), with BAD_MAGIC, BAD_VERSION, TOO_LARGE, MALFORMED,
 * WRONG_REALM, BAD_KEY or BAD_SIGNATURE.
 *
 * Only the sender's key is checked against its id. Keys inside `alive` updates are NOT:
 * the caller must check them (`checkAliveKey` in auth.ts) before believing one.
 */
export function decodePacket(bytes: Uint8Array, opts: DecodePacketOptions): DecodedPacket {
  if (!(bytes instanceof Uint8Array)) throw malformed('packet: not bytes');
  if (bytes.length > MAX_PACKET_BYTES)
    throw new MembershipWireError('TOO_LARGE', `${bytes.length}-byte packet`);
  if (bytes[0] !== MEMBERSHIP_MAGIC) throw new MembershipWireError('BAD_MAGIC', 'not a membership packet');
  if (bytes.length < 2) throw malformed('truncated packet');
  if (bytes[1] !== MEMBERSHIP_WIRE_VERSION) {
    throw new MembershipWireError('BAD_VERSION', `membership wire version ${bytes[1]}`);
  }
  const signedEnd = bytes.length - SIGNATURE_BYTES;
  // Cheap gate before msgpack: the body must open with a fixarray of 5 to 8 elements.
  const head = bytes[PREFIX_BYTES] ?? 0;
  if (signedEnd <= PREFIX_BYTES || head < 0x95 || head > 0x98)
    throw malformed('packet body is not an envelope');
  const a = readTuple(unpackBody(bytes, PREFIX_BYTES, signedEnd), 5, 8, 'envelope');
  if (typeof a[0] !== 'string') throw malformed('realm is not a string');
  if (a[0] !== opts.realm) throw new MembershipWireError('WRONG_REALM', 'packet for another realm');
  const from = readId(a[1], 'sender id');
  const key = readKey(a[2], 'sender key');
  const t = readKind(a[3], MESSAGE_KINDS, 'message');
  const n = ENVELOPE_LENGTH[t];
  readTuple(a, n, n, `${t} message`);
  const msg = buildMessage(t, a, readUpdates(a[n - 1]));

  const verdict = opts.verify(from, key, bytes.subarray(0, signedEnd), bytes.subarray(signedEnd));
  if (verdict === 'bad-key') throw new MembershipWireError('BAD_KEY', 'sender key does not match its id');
  if (verdict !== 'ok') throw new MembershipWireError('BAD_SIGNATURE', 'signature does not verify');
  return { from, key, msg };
}

function readUpdates(v: unknown): Update[] {
  if (!Array.isArray(v)) throw malformed('updates is not an array');
  if (v.length > MAX_UPDATES_PER_PACKET) {
    throw new MembershipWireError('TOO_LARGE', `${v.length} updates, limit ${MAX_UPDATES_PER_PACKET}`);
  }
  return v.map(readUpdate);
}

function buildMessage(t: SwimMessage['t'], a: unknown[], updates: Update[]): SwimMessage {
  if (t === 'gossip') return { t, updates };
  const seq = readU32(a[4], 'seq');
  switch (t) {
    case 'ping':
      return { t, seq, target: readId(a[5], 'ping target'), updates };
    case 'ping-req':
      return {
        t,
        seq,
        target: readId(a[5], 'ping-req target'),
        addr: readAddr(a[6], 'ping-req addr'),
        updates,
      };
    case 'ack':
    case 'nack':
      return { t, seq, updates };
  }
}
