/**
 * Ed25519 authentication of membership traffic. A node id is SHA-256 of the node's
 * Ed25519 SubjectPublicKeyInfo DER (`NodeId.fromPublicKey`), so a raw 32-byte key proves
 * an id by hashing, and a signature under that key proves the packet came from the id.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  KeyObject,
  sign,
  verify,
  type webcrypto,
} from 'node:crypto';
import { InvalidArgumentError } from '../core/index.js';
import { dropOldest } from '../runtime/index.js';

/** A private or public Ed25519 key: PEM (as `NodeIdentity.key`), KeyObject or WebCrypto key. */
export type Ed25519KeyInput = string | KeyObject | webcrypto.CryptoKey;

/** Outcome of checking a packet: the caller maps it to BAD_KEY / BAD_SIGNATURE. */
export type VerifyResult = 'ok' | 'bad-key' | 'bad-signature';

/** Signs bytes with a node's Ed25519 private key. */
export type PacketSigner = (data: Uint8Array) => Uint8Array;

/** Checks a packet's key against its claimed id, then its signature over `data`. */
export type PacketVerifier = (
  fromId: string,
  key: Uint8Array,
  data: Uint8Array,
  sig: Uint8Array,
) => VerifyResult;

/** Bytes of a raw Ed25519 public key. */
export const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
/** The fixed 12-byte DER prefix of every Ed25519 SPKI: SEQUENCE { AlgorithmIdentifier(1.3.101.112), BIT STRING }. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SPKI_BYTES = SPKI_PREFIX.length + ED25519_KEY_BYTES;
const DEFAULT_MAX_CACHED_KEYS = 4096;

/** The raw 32-byte key inside a 44-byte Ed25519 SPKI DER. Throws InvalidArgumentError otherwise. */
export function rawEd25519Key(spkiDer: Uint8Array): Uint8Array {
  const ok =
    spkiDer instanceof Uint8Array &&
    spkiDer.length === SPKI_BYTES &&
    SPKI_PREFIX.equals(spkiDer.subarray(0, SPKI_PREFIX.length));
  if (!ok) throw new InvalidArgumentError('not an Ed25519 SubjectPublicKeyInfo (44 bytes DER)');
  return Uint8Array.from(spkiDer.subarray(SPKI_PREFIX.length));
}

/** The 44-byte SPKI DER of a raw 32-byte Ed25519 public key. */
export function spkiFromRaw(raw: Uint8Array): Uint8Array {
  if (!(raw instanceof Uint8Array) || raw.length !== ED25519_KEY_BYTES) {
    throw new InvalidArgumentError(`an Ed25519 public key is ${ED25519_KEY_BYTES} bytes`);
  }
  const out = new Uint8Array(SPKI_BYTES);
  out.set(SPKI_PREFIX);
  out.set(raw, SPKI_PREFIX.length);
  return out;
}

/** The node id (hex) that a raw Ed25519 public key proves. */
export function nodeIdOfRawKey(raw: Uint8Array): string {
  return createHash('sha256').update(spkiFromRaw(raw)).digest('hex');
}

function toKeyObject(key: Ed25519KeyInput): KeyObject {
  if (key instanceof KeyObject) return key;
  if (typeof key === 'string')
    return key.includes('PRIVATE KEY') ? createPrivateKey(key) : createPublicKey(key);
  return KeyObject.from(key);
}

function requireEd25519(k: KeyObject): KeyObject {
  if (k.asymmetricKeyType !== 'ed25519') {
    throw new InvalidArgumentError(`expected an Ed25519 key, got ${k.asymmetricKeyType ?? k.type}`);
  }
  return k;
}

/** The raw 32-byte public key of an Ed25519 key (private keys give their public half). */
export function rawPublicKey(identityKey: Ed25519KeyInput): Uint8Array {
  const k = requireEd25519(toKeyObject(identityKey));
  const pub = k.type === 'private' ? createPublicKey(k) : k;
  return rawEd25519Key(pub.export({ type: 'spki', format: 'der' }));
}

/** A packet signer for `encodePacket`, from the node's Ed25519 private key (e.g. `NodeIdentity.key`). */
export function createSigner(privateKey: Ed25519KeyInput): PacketSigner {
  const k = requireEd25519(toKeyObject(privateKey));
  if (k.type !== 'private') throw new InvalidArgumentError('signing needs a private key');
  return (data) => sign(null, data, k);
}

/**
 * Bounded map, least recently used evicted first: Map keeps insertion order, and a hit
 * re-inserts its entry at the end.
 */
class LruMap<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}

  get(k: string): V | undefined {
    const v = this.#map.get(k);
    if (v !== undefined) {
      this.#map.delete(k);
      this.#map.set(k, v);
    }
    return v;
  }

  set(k: string, v: V): void {
    this.#map.delete(k);
    this.#map.set(k, v);
    dropOldest(this.#map, this.max);
  }
}

function cacheSize(max: number | undefined): number {
  const n = max ?? DEFAULT_MAX_CACHED_KEYS;
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError('maxCachedKeys must be a positive integer');
  return n;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/**
 * A packet verifier for `decodePacket`: 'bad-key' unless SHA-256 of `key`'s SPKI is
 * `fromId`, then 'bad-signature' unless `sig` verifies over `data`. Proven (id, key)
 * pairs and their KeyObjects are cached (at most `maxCachedKeys`, default 4096), so a
 * known peer costs one signature verification. Never throws.
 */
export function createVerifier(opts?: { maxCachedKeys?: number }): PacketVerifier {
  const cache = new LruMap<{ raw: Uint8Array; key: KeyObject }>(cacheSize(opts?.maxCachedKeys));
  return (fromId, key, data, sig) => {
    if (!(key instanceof Uint8Array) || key.length !== ED25519_KEY_BYTES) return 'bad-key';
    let entry = cache.get(fromId);
    // A different key for a cached id cannot hash to it (SHA-256 is collision resistant).
    if (entry !== undefined && !sameBytes(entry.raw, key)) return 'bad-key';
    if (entry === undefined) {
      const spki = spkiFromRaw(key);
      if (createHash('sha256').update(spki).digest('hex') !== fromId) return 'bad-key';
      try {
        entry = {
          raw: Uint8Array.from(key),
          key: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }),
        };
      } catch {
        return 'bad-key'; // not a valid curve point
      }
      cache.set(fromId, entry);
    }
    if (!(sig instanceof Uint8Array) || sig.length !== ED25519_SIGNATURE_BYTES) return 'bad-signature';
    try {
      return verify(null, data, entry.key, sig) ? 'ok' : 'bad-signature';
    } catch {
      return 'bad-signature';
    }
  };
}

/**
 * An id/key binding check with its own bounded cache of proven pairs: true when SHA-256
 * of `key`'s Ed25519 SPKI is `id` (64 lowercase hex characters).
 */
export function createKeyChecker(opts?: {
  maxCachedKeys?: number;
}): (id: string, key: Uint8Array) => boolean {
  const cache = new LruMap<Uint8Array>(cacheSize(opts?.maxCachedKeys));
  return (id, key) => {
    if (!(key instanceof Uint8Array) || key.length !== ED25519_KEY_BYTES) return false;
    const known = cache.get(id);
    if (known !== undefined) return sameBytes(known, key);
    if (nodeIdOfRawKey(key) !== id) return false;
    cache.set(id, Uint8Array.from(key));
    return true;
  };
}

const defaultKeyChecker = createKeyChecker();

/**
 * True when `key` is the key `id` derives from. Membership must call this for every
 * `alive` update and sync entry before believing its address or key: decodePacket and
 * decodeSync only authenticate the sender, not the members it reports on.
 */
export function checkAliveKey(id: string, key: Uint8Array): boolean {
  return defaultKeyChecker(id, key);
}
