import { createHash } from 'node:crypto';
import { InvalidNodeIdError, quoteInput } from './errors.js';

/** Node ids are 256 bits: a SHA-256 digest. */
export const NODE_ID_BYTES = 32;
const HEX_RE = /^[0-9a-fA-F]{64}$/;

/**
 * A node's 256-bit identity: SHA-256 of its public key (SubjectPublicKeyInfo DER), so an
 * id cannot be claimed without the matching private key. Immutable; compare with
 * {@link NodeId.equals}, not `===`.
 */
export class NodeId {
  readonly #bytes: Uint8Array;
  /** Lowercase hex, 64 characters. */
  readonly hex: string;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  }

  /** The id of the key whose SubjectPublicKeyInfo DER is `spkiDer`. */
  static fromPublicKey(spkiDer: Uint8Array): NodeId {
    if (!(spkiDer instanceof Uint8Array) || spkiDer.length === 0) {
      throw new InvalidNodeIdError('A public key (SubjectPublicKeyInfo DER) is needed to derive a node id');
    }
    return new NodeId(new Uint8Array(createHash('sha256').update(spkiDer).digest()));
  }

  /** Parses 64 hex characters (either case). */
  static fromHex(hex: string): NodeId {
    if (typeof hex !== 'string' || !HEX_RE.test(hex)) {
      throw new InvalidNodeIdError(`A node id is 64 hex characters, got ${quoteInput(hex)}`);
    }
    return new NodeId(new Uint8Array(Buffer.from(hex, 'hex')));
  }

  /** Wraps 32 raw bytes (copied). */
  static fromBytes(bytes: Uint8Array): NodeId {
    if (!(bytes instanceof Uint8Array) || bytes.length !== NODE_ID_BYTES) {
      const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : quoteInput(bytes);
      throw new InvalidNodeIdError(`A node id is ${NODE_ID_BYTES} bytes, got ${got}`);
    }
    return new NodeId(Uint8Array.from(bytes));
  }

  /** Orders ids as big-endian unsigned integers: negative, zero or positive. */
  static compare(a: NodeId, b: NodeId): number {
    return Buffer.compare(a.#bytes, b.#bytes);
  }

  /** A copy of the 32 bytes (mutating it does not change the id). */
  get bytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  /** The first 8 hex characters, for logs. */
  get short(): string {
    return this.hex.slice(0, 8);
  }

  equals(other: NodeId): boolean {
    return other instanceof NodeId && this.hex === other.hex;
  }

  toString(): string {
    return this.hex;
  }

  toJSON(): string {
    return this.hex;
  }
}

/** Kademlia distance: the bytewise XOR of two ids (32 bytes, big-endian). */
export function xorDistance(a: NodeId, b: NodeId): Uint8Array {
  const x = a.bytes;
  const y = b.bytes;
  for (let i = 0; i < NODE_ID_BYTES; i++) x[i] = x[i]! ^ y[i]!;
  return x;
}

/** Number of leading bits two ids share (0–256; 256 when equal). */
export function commonPrefixLength(a: NodeId, b: NodeId): number {
  const d = xorDistance(a, b);
  for (let i = 0; i < NODE_ID_BYTES; i++) {
    const byte = d[i]!;
    if (byte !== 0) return i * 8 + Math.clz32(byte) - 24;
  }
  return NODE_ID_BYTES * 8;
}
