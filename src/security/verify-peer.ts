import type { NodeId, Realm } from '../core/index.js';
import type { PeerInfo, TlsOptions } from '../transport/index.js';
import { checkValidity, readCertIdentity } from './cert-identity.js';
import { IdentityError } from './errors.js';

/** What {@link verifyPeerIdentity} checks a peer against. */
export interface PeerExpectation {
  /** The realm the peer must belong to (ours). */
  realm: string;
  /** Time the validity window is checked at (default: now). */
  now?: Date;
  /**
   * True when TLS checks the chain against a realm CA. A self-signed leaf is then refused
   * (`UNTRUSTED_CA`) even if TLS were misconfigured to let it through.
   */
  ca?: boolean;
}

/** The identity a verified peer certificate proves. */
export interface PeerIdentity {
  nodeId: NodeId;
  realm: Realm;
}

/**
 * Checks a peer's certificate chain (DER, leaf first) as a node identity: the leaf must
 * carry exactly one `macula://<realm>/<nodeId>` URI, for `expect.realm`, whose node id is
 * the SHA-256 of the leaf's public key, and be within its validity window. Chain trust is
 * TLS's job (CA mode); in auto mode the key is the identity. Throws {@link IdentityError}
 * (`BAD_CERTIFICATE`, `NODE_ID_MISMATCH`, `WRONG_REALM`, `CERT_EXPIRED`,
 * `CERT_NOT_YET_VALID`, `UNTRUSTED_CA`).
 */
export function verifyPeerIdentity(chain: readonly Uint8Array[], expect: PeerExpectation): PeerIdentity {
  const leaf = chain[0];
  if (leaf === undefined) throw new IdentityError('BAD_CERTIFICATE', 'Peer presented no certificate');
  const c = readCertIdentity(leaf);
  if (c.realm !== expect.realm) {
    throw new IdentityError(
      'WRONG_REALM',
      `Peer ${c.nodeId.short}… is in realm ${c.realm}, expected realm ${expect.realm}`,
    );
  }
  checkValidity(c, expect.now ?? new Date());
  if (expect.ca && c.selfIssued) {
    throw new IdentityError('UNTRUSTED_CA', `Peer ${c.nodeId.short}… has a self-signed certificate`);
  }
  return { nodeId: c.nodeId, realm: c.realm };
}

/** Options of {@link identityTlsOptions}. */
export interface IdentityTlsConfig {
  /** Our realm: peers of other realms are refused. */
  realm: string;
  /** PEM realm CA: when set, TLS only accepts chains from it (CA mode). */
  caPem?: string | readonly string[];
  /** Clock for validity checks (default: wall time). */
  now?: () => Date;
}

/**
 * Transport TLS options for a node identity: our certificate and key, the realm CA when
 * in CA mode, and a `verifyPeer` hook that runs {@link verifyPeerIdentity} on both sides.
 */
export function identityTlsOptions(
  identity: { cert: string; key: string },
  o: IdentityTlsConfig,
): TlsOptions {
  const ca = o.caPem !== undefined;
  const verifyPeer = (peer: PeerInfo): void => {
    verifyPeerIdentity(peer.certificates, { realm: o.realm, ca, ...(o.now ? { now: o.now() } : {}) });
  };
  return { cert: identity.cert, key: identity.key, ...(ca ? { ca: o.caPem } : {}), verifyPeer };
}
