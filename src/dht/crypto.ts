import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { createSigner, type Ed25519KeyInput, nodeIdOfRawKey, rawPublicKey } from '../membership/index.js';
import { dropOldest } from '../runtime/index.js';
import { DhtError } from './errors.js';

/** A node's Ed25519 private key: PEM (as `NodeIdentity.key`), KeyObject or WebCrypto key. */
export type DhtKeyInput = Ed25519KeyInput;

/** Longest app key accepted by {@link dhtKey}, in UTF-16 units. */
export const MAX_APP_KEY_LENGTH = 1024;
const HEX64 = /^[0-9a-f]{64}$/;

/** True for a DHT key (or node id): 64 lowercase hex characters. */
export function isHex64(v: unknown): v is string {
  return typeof v === 'string' && HEX64.test(v);
}

/** The DHT key of an application key (a topic, a procedure name): SHA-256 of its UTF-8, as hex. */
export function dhtKey(appKey: string): string {
  if (typeof appKey !== 'string' || appKey.length === 0 || appKey.length > MAX_APP_KEY_LENGTH) {
    const got = typeof appKey === 'string' ? `${appKey.length} characters` : `a ${typeof appKey}`;
    throw new DhtError(
      'INVALID_KEY',
      `An app key is a string of 1–${MAX_APP_KEY_LENGTH} characters, got ${got}`,
    );
  }
  return createHash('sha256').update(appKey, 'utf8').digest('hex');
}

/** Signs record bytes with a node's identity key. */
export interface RecordSigner {
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** The node id it proves: SHA-256 of the key's SPKI DER, hex. */
  readonly owner: string;
  sign(data: Uint8Array): Uint8Array;
}

/** A {@link RecordSigner} from an Ed25519 private key. Throws InvalidArgumentError for other keys. */
export function createRecordSigner(privateKey: DhtKeyInput): RecordSigner {
  const publicKey = rawPublicKey(privateKey); // also checks that it is Ed25519
  const sign = createSigner(privateKey); // throws for a public key
  return { publicKey, owner: nodeIdOfRawKey(publicKey), sign: (data) => new Uint8Array(sign(data)) };
}

const MAX_CACHED_KEYS = 1024;
// Parsing a public key costs about as much as a verification: known owners skip it.
const keyCache = new Map<string, KeyObject>();

function publicKeyOf(raw: Uint8Array): KeyObject {
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
  let k = keyCache.get(x);
  if (k) {
    keyCache.delete(x); // re-inserted below: most recently used last
  } else {
    k = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  }
  keyCache.set(x, k);
  dropOldest(keyCache, MAX_CACHED_KEYS);
  return k;
}

/** True when `sig` is a valid Ed25519 signature of `data` by the raw key `raw`. Never throws. */
export function verifySignature(raw: Uint8Array, data: Uint8Array, sig: Uint8Array): boolean {
  try {
    return verify(null, data, publicKeyOf(raw), sig);
  } catch {
    return false; // not a curve point, or a malformed signature
  }
}
