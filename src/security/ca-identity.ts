import { X509Certificate } from 'node:crypto';
import { parseRealm } from '../core/index.js';
import { checkValidity } from './cert-identity.js';
import { IdentityError } from './errors.js';
import type { NodeIdentity } from './identity.js';
import { checkKey, leafOf, readIfExists } from './identity-io.js';
import { pemToDerChain, verifyChain } from './x509.js';

/** A CA-mode identity from PEM text, or from files. */
export type CaIdentitySource = (
  | { ca: string; cert: string; key: string }
  | { caFile: string; certFile: string; keyFile: string }
) & {
  /** When set, the certificate must be for this realm (`WRONG_REALM`). */
  realm?: string;
  /** Time validity is judged at (default: now). */
  now?: Date;
};

async function readSources(s: CaIdentitySource) {
  if ('caFile' in s) {
    const read = async (path: string) => {
      const text = await readIfExists(path);
      if (text === undefined) throw new IdentityError('BAD_IDENTITY_FILES', `${path} does not exist`);
      return text;
    };
    const [ca, cert, key] = await Promise.all([read(s.caFile), read(s.certFile), read(s.keyFile)]);
    return { ca, cert, key, labels: { ca: s.caFile, cert: s.certFile, key: s.keyFile } };
  }
  const labels = { ca: 'the CA certificate', cert: 'the node certificate', key: 'the node key' };
  return { ca: s.ca, cert: s.cert, key: s.key, labels };
}

function caCertificates(pem: string, label: string): X509Certificate[] {
  try {
    const certs = pemToDerChain(pem).map((der) => new X509Certificate(der));
    if (certs.length > 0) return certs;
  } catch {
    // reported below
  }
  throw new IdentityError('BAD_IDENTITY_FILES', `${label} holds no readable PEM certificate`);
}

/**
 * The CA mode: a node identity issued by a realm CA. Checks that the key belongs to the
 * certificate (`KEY_CERT_MISMATCH`), that the certificate names a node whose id is its key's
 * hash, is currently valid, and chains to the CA (`UNTRUSTED_CA`).
 */
export async function loadCaIdentity(source: CaIdentitySource): Promise<NodeIdentity> {
  const { ca, cert, key, labels } = await readSources(source);
  const now = source.now ?? new Date();
  const c = leafOf(cert, labels.cert);
  if (source.realm !== undefined && c.realm !== parseRealm(source.realm)) {
    throw new IdentityError(
      'WRONG_REALM',
      `${labels.cert} is for realm ${c.realm}, expected ${source.realm}`,
    );
  }
  try {
    checkValidity(c, now);
  } catch (cause) {
    if (cause instanceof IdentityError)
      throw new IdentityError(cause.code, `${labels.cert}: ${cause.message}`);
    throw cause;
  }
  checkKey(c.x509, key, labels.key, labels.cert);
  for (const caCert of caCertificates(ca, labels.ca)) {
    if (Date.parse(caCert.validTo) < now.getTime()) {
      throw new IdentityError(
        'CERT_EXPIRED',
        `${labels.ca}: the CA certificate expired at ${caCert.validTo}`,
      );
    }
  }
  const reason = verifyChain(pemToDerChain(cert), [ca], now);
  if (reason !== null) {
    throw new IdentityError('UNTRUSTED_CA', `${labels.cert} does not chain to ${labels.ca}: ${reason}`);
  }
  return { nodeId: c.nodeId, realm: c.realm, cert, key, ca };
}
