import { X509Certificate } from 'node:crypto';
import { MACULA_SCHEME, NodeId, parseMaculaUri, type Realm } from '../core/index.js';
import { IdentityError } from './errors.js';

/** What a node certificate proves, parsed once. */
export interface CertIdentity {
  readonly nodeId: NodeId;
  readonly realm: Realm;
  /** Validity window, epoch milliseconds. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** Issuer and subject match: a self-signed (auto mode) certificate. */
  readonly selfIssued: boolean;
  readonly x509: X509Certificate;
}

/**
 * Splits node's `subjectAltName` text (`URI:a, DNS:b`) into entries. Node JSON-quotes
 * values holding commas or quotes, so a crafted value cannot fake a second entry.
 * Null when the text does not follow that format.
 */
function sanEntries(san: string): { type: string; value: string }[] | null {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < san.length) {
    const colon = san.indexOf(':', i);
    if (colon < 0) return null;
    const type = san.slice(i, colon);
    let j = colon + 1;
    let value: string;
    if (san[j] === '"') {
      let k = j + 1;
      while (k < san.length && san[k] !== '"') k += san[k] === '\\' ? 2 : 1;
      if (k >= san.length) return null;
      try {
        value = JSON.parse(san.slice(j, k + 1)) as string;
      } catch {
        return null;
      }
      j = k + 1;
    } else {
      const comma = san.indexOf(', ', j);
      const end = comma < 0 ? san.length : comma;
      value = san.slice(j, end);
      j = end;
    }
    out.push({ type, value });
    if (j === san.length) break;
    if (!san.startsWith(', ', j)) return null;
    i = j + 2;
  }
  return out;
}

/** The single `macula://<realm>/<nodeId>` URI of the certificate's SAN. */
function nodeUri(cert: X509Certificate): { realm: Realm; nodeId: NodeId } {
  const entries = cert.subjectAltName === undefined ? [] : sanEntries(cert.subjectAltName);
  if (entries === null) throw new IdentityError('BAD_CERTIFICATE', 'Certificate has an unreadable SAN');
  // Any URI with our scheme counts, however cased, so a near-duplicate cannot hide.
  const uris = entries.filter((e) => e.type === 'URI' && e.value.toLowerCase().startsWith('macula:'));
  if (uris.length !== 1) {
    throw new IdentityError(
      'BAD_CERTIFICATE',
      `Certificate must carry exactly one ${MACULA_SCHEME}<realm>/<nodeId> URI in its SAN, found ${uris.length}`,
    );
  }
  let parsed: ReturnType<typeof parseMaculaUri>;
  try {
    parsed = parseMaculaUri(uris[0]!.value);
  } catch (cause) {
    throw new IdentityError('BAD_CERTIFICATE', `Certificate SAN: ${(cause as Error).message}`, { cause });
  }
  if (parsed.kind !== 'node') {
    throw new IdentityError('BAD_CERTIFICATE', `Certificate SAN ${uris[0]!.value} is not a node URI`);
  }
  return parsed;
}

function parse(der: Uint8Array): CertIdentity {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (cause) {
    throw new IdentityError('BAD_CERTIFICATE', 'Certificate is not valid DER X.509', { cause });
  }
  const { realm, nodeId } = nodeUri(x509);
  const actual = NodeId.fromPublicKey(x509.publicKey.export({ type: 'spki', format: 'der' }));
  if (!actual.equals(nodeId)) {
    throw new IdentityError(
      'NODE_ID_MISMATCH',
      `Certificate claims node id ${nodeId.short}… but its public key hashes to ${actual.short}…`,
    );
  }
  // Frozen: parses are cached and shared between callers.
  return Object.freeze({
    nodeId,
    realm,
    notBefore: Date.parse(x509.validFrom),
    notAfter: Date.parse(x509.validTo),
    selfIssued: x509.issuer === x509.subject,
    x509,
  });
}

// Parsed certificates by content: a node sees the same few peers' certificates over and
// over. Keyed by the bytes, not the array object, so a reused buffer cannot alias.
const cache = new Map<string, CertIdentity>();
const CACHE_MAX = 1024;

/**
 * Parses a node certificate (DER): its one node URI, checked against the hash of its
 * public key. Throws IdentityError `BAD_CERTIFICATE` or `NODE_ID_MISMATCH`. Validity and
 * realm are the caller's to check (see {@link checkValidity}).
 */
export function readCertIdentity(der: Uint8Array): CertIdentity {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = parse(der);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, parsed);
  return parsed;
}

/** Throws IdentityError `CERT_EXPIRED` / `CERT_NOT_YET_VALID` when `now` is outside the window. */
export function checkValidity(c: CertIdentity, now: Date): void {
  const t = now.getTime();
  if (t > c.notAfter) {
    throw new IdentityError(
      'CERT_EXPIRED',
      `Certificate of node ${c.nodeId.short}… expired at ${new Date(c.notAfter).toISOString()}`,
    );
  }
  if (t < c.notBefore) {
    throw new IdentityError(
      'CERT_NOT_YET_VALID',
      `Certificate of node ${c.nodeId.short}… is not valid before ${new Date(c.notBefore).toISOString()}`,
    );
  }
}
