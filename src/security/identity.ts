import type { webcrypto } from 'node:crypto';
import { formatNodeUri, NodeId, parseRealm, type Realm } from '../core/index.js';
import { IdentityError } from './errors.js';
import { exportSpki, generateKeyPair } from './keys.js';
import {
  type CertificateAuthority,
  type CertificateBundle,
  createCertificateAuthority,
  importCertificateAuthority,
  issueCertificate,
} from './x509.js';

const DAY_MS = 86_400_000;
/** Auto-mode certificates: the key is the identity, so a long window only saves renewals. */
const AUTO_VALIDITY_DAYS = 3650;
const CA_VALIDITY_DAYS = 3650;
const NODE_VALIDITY_DAYS = 365;

/** A node's identity: its id and realm, and the certificate and key that prove them. */
export interface NodeIdentity {
  /** SHA-256 of the certificate's public key. */
  nodeId: NodeId;
  realm: Realm;
  /** PEM certificate chain, leaf first; the leaf's SAN is `macula://<realm>/<nodeId>`. */
  cert: string;
  /** PEM PKCS#8 Ed25519 private key. */
  key: string;
  /** PEM realm CA certificate, in CA mode (absent for self-signed identities). */
  ca?: string;
}

/** A realm CA: PEM certificate and key. Keep the key offline. */
export interface RealmCa extends CertificateBundle {
  realm: Realm;
}

/** Validity window of a new certificate. */
export interface ValidityOptions {
  /** Start (default: one minute ago, to absorb clock skew). */
  notBefore?: Date;
  /** End (default: a per-kind span after notBefore). */
  notAfter?: Date;
}

function validityWindow(o: ValidityOptions | undefined, days: number): { notBefore: Date; notAfter: Date } {
  const notBefore = o?.notBefore ?? new Date(Date.now() - 60_000);
  return { notBefore, notAfter: o?.notAfter ?? new Date(notBefore.getTime() + days * DAY_MS) };
}

/** Certificate options naming a node: CN = node id, SAN URI = node URI. */
function nodeCertOptions(realm: Realm, nodeId: NodeId, o: ValidityOptions | undefined, days: number) {
  return { commonName: nodeId.hex, uris: [formatNodeUri(realm, nodeId)], ...validityWindow(o, days) };
}

/** A self-signed node certificate for an existing key pair (same key, same node id). */
export async function selfSignedIdentity(
  keys: webcrypto.CryptoKeyPair,
  realm: string,
  o?: ValidityOptions,
): Promise<NodeIdentity> {
  const r = parseRealm(realm);
  const nodeId = NodeId.fromPublicKey(await exportSpki(keys.publicKey));
  const bundle = await issueCertificate(nodeCertOptions(r, nodeId, o, AUTO_VALIDITY_DAYS), undefined, keys);
  return { nodeId, realm: r, cert: bundle.cert, key: bundle.key };
}

/**
 * A new self-signed node identity in `realm` (auto mode): a fresh Ed25519 key, the node
 * id derived from it, and a certificate naming `macula://<realm>/<nodeId>`.
 */
export async function generateIdentity(realm: string, o?: ValidityOptions): Promise<NodeIdentity> {
  parseRealm(realm);
  return selfSignedIdentity(await generateKeyPair(), realm, o);
}

/** A new realm CA (Ed25519, CN = realm, 10 years by default). */
export async function createRealmCa(realm: string, o?: ValidityOptions): Promise<RealmCa> {
  const r = parseRealm(realm);
  const ca = await createCertificateAuthority({ commonName: r, ...validityWindow(o, CA_VALIDITY_DAYS) });
  return { realm: r, cert: ca.cert, key: ca.key };
}

async function toAuthority(ca: CertificateBundle | CertificateAuthority): Promise<CertificateAuthority> {
  if ('keys' in ca && 'certificate' in ca) return ca;
  try {
    return await importCertificateAuthority(ca);
  } catch (cause) {
    if (cause instanceof IdentityError) throw cause;
    throw new IdentityError('BAD_IDENTITY_FILES', `Unusable realm CA: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/**
 * A new node identity in `realm` signed by the realm CA (PEM `{ cert, key }`, Ed25519):
 * a fresh key, its node id, and a certificate naming `macula://<realm>/<nodeId>` (1 year
 * by default). The returned identity's `ca` is the CA certificate.
 */
export async function issueNodeCertificate(
  ca: CertificateBundle | CertificateAuthority,
  realm: string,
  o?: ValidityOptions,
): Promise<NodeIdentity> {
  const r = parseRealm(realm);
  const authority = await toAuthority(ca);
  const keys = await generateKeyPair();
  const nodeId = NodeId.fromPublicKey(await exportSpki(keys.publicKey));
  const bundle = await issueCertificate(nodeCertOptions(r, nodeId, o, NODE_VALIDITY_DAYS), authority, keys);
  return { nodeId, realm: r, cert: bundle.cert, key: bundle.key, ca: ca.cert };
}
