// Shared helpers of the DHT tests: real Ed25519 identities (node id = SHA-256 of the SPKI
// DER, as the security layer derives it) and records signed with them.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import {
  createRecordSigner,
  type DhtRecord,
  dhtKey,
  type RecordSigner,
  signRecord,
} from '../../src/dht/index.js';

export const REALM = 'org.example.mesh';
/** A fixed wall-clock time for unit tests (ms since the epoch). */
export const T0 = 1_700_000_000_000;

export interface Identity {
  id: string;
  privateKey: KeyObject;
  signer: RecordSigner;
}

/** PKCS#8 DER of an Ed25519 private key, up to its 32-byte seed. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * An Ed25519 identity; its id matches its key, so its records verify. With `seed` (32
 * bytes, e.g. from a SeededRandom) it is reproducible — simulations stay deterministic.
 */
export function identity(seed?: Uint8Array): Identity {
  const privateKey = seed
    ? createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
    : generateKeyPairSync('ed25519').privateKey;
  const publicKey = createPublicKey(privateKey);
  const id = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  return { id, privateKey, signer: createRecordSigner(privateKey) };
}

/** A record of `who` under app key `app` (fields overridable), signed for `realm`. */
export function record(
  who: Identity,
  app = 'topic/a',
  over: Partial<{ value: Uint8Array; seq: number; issuedAt: number; ttlMs: number; key: string }> = {},
  realm = REALM,
): DhtRecord {
  return signRecord(who.signer, realm, {
    key: over.key ?? dhtKey(app),
    value: over.value ?? new TextEncoder().encode(`value of ${who.id.slice(0, 8)}`),
    seq: over.seq ?? 1,
    issuedAt: over.issuedAt ?? T0,
    ttlMs: over.ttlMs ?? 60 * 60_000,
  });
}

/** A hex id / key whose first byte is `b` (the rest from `fill`): controls XOR distances in tests. */
export function hexWithPrefix(b: number, fill = '00'): string {
  return b.toString(16).padStart(2, '0') + fill.repeat(31);
}
