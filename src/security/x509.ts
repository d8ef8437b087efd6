import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { IdentityError } from './errors.js';
import { generateKeyPair, importKeyPair } from './keys.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const ED25519 = { name: 'Ed25519' } as const;

/** A certificate with its private key, both PEM. */
export interface CertificateBundle {
  cert: string;
  key: string;
}

/** A CA able to issue certificates. */
export interface CertificateAuthority extends CertificateBundle {
  keys: CryptoKeyPair;
  certificate: x509.X509Certificate;
}

export interface CertOptions {
  /** Subject common name. */
  commonName: string;
  /** URI subject alternative names (for example `macula://realm/nodeId`). */
  uris?: string[];
  /** DNS subject alternative names. */
  dnsNames?: string[];
  /** Validity start (default: one minute ago, to absorb clock skew). */
  notBefore?: Date;
  /** Validity end (default: one year after notBefore). */
  notAfter?: Date;
}

let serial = 0;
function nextSerial(): string {
  serial = (serial + 1) % 0xffffff;
  return `${Date.now().toString(16)}${serial.toString(16).padStart(6, '0')}`;
}

function validity(o: CertOptions): { notBefore: Date; notAfter: Date } {
  const notBefore = o.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = o.notAfter ?? new Date(notBefore.getTime() + 365 * 86_400_000);
  return { notBefore, notAfter };
}

function sanExtension(o: CertOptions): x509.Extension[] {
  const names: x509.JsonGeneralName[] = [
    ...(o.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(o.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
  ];
  return names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [];
}

async function exportKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** Creates a self-signed Ed25519 CA certificate. */
export async function createCertificateAuthority(o: CertOptions): Promise<CertificateAuthority> {
  const keys = await generateKeyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${o.commonName}`,
    ...validity(o),
    keys,
    signingAlgorithm: ED25519,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ...sanExtension(o),
    ],
  });
  return { keys, certificate, cert: certificate.toString('pem'), key: await exportKey(keys.privateKey) };
}

/**
 * A CA from its PEM certificate and PKCS#8 Ed25519 key, to issue more certificates with.
 * Throws when the key is not Ed25519, or IdentityError `KEY_CERT_MISMATCH` when it does
 * not belong to the certificate.
 */
export async function importCertificateAuthority(bundle: CertificateBundle): Promise<CertificateAuthority> {
  const certificate = new x509.X509Certificate(bundle.cert);
  const keys = await importKeyPair(bundle.key);
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  if (!Buffer.from(certificate.publicKey.rawData).equals(spki)) {
    throw new IdentityError('KEY_CERT_MISMATCH', 'The CA key does not belong to the CA certificate');
  }
  return { keys, certificate, cert: bundle.cert, key: bundle.key };
}

/**
 * Issues an Ed25519 end-entity certificate signed by `ca` (or self-signed when `ca` is
 * omitted), for `keys` when given (a fresh key pair otherwise).
 */
export async function issueCertificate(
  o: CertOptions,
  ca?: CertificateAuthority,
  keys?: CryptoKeyPair,
): Promise<CertificateBundle> {
  keys ??= await generateKeyPair();
  const extensions = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ...sanExtension(o),
  ];
  const certificate = ca
    ? await x509.X509CertificateGenerator.create({
        serialNumber: nextSerial(),
        subject: `CN=${o.commonName}`,
        issuer: ca.certificate.subject,
        ...validity(o),
        publicKey: keys.publicKey,
        signingKey: ca.keys.privateKey,
        signingAlgorithm: ED25519,
        extensions,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: nextSerial(),
        name: `CN=${o.commonName}`,
        ...validity(o),
        keys,
        signingAlgorithm: ED25519,
        extensions,
      });
  return { cert: certificate.toString('pem'), key: await exportKey(keys.privateKey) };
}

/** Splits a PEM bundle into DER certificates, in order. */
export function pemToDerChain(pem: string): Uint8Array[] {
  return x509.PemConverter.decode(pem).map((der) => new Uint8Array(der));
}

/**
 * Checks that `chain` (DER, leaf first) is currently valid and leads to one of `caPems`.
 * Returns null when it does, or a reason. Used by transports that do not run TLS.
 */
export function verifyChain(
  chain: readonly Uint8Array[],
  caPems: readonly string[],
  now = new Date(),
): string | null {
  if (chain.length === 0) return 'no certificate';
  const certs = chain.map((der) => new X509Certificate(der));
  for (const c of certs) {
    if (new Date(c.validFrom) > now) return 'certificate not yet valid';
    if (new Date(c.validTo) < now) return 'certificate expired';
  }
  for (let i = 0; i + 1 < certs.length; i++) {
    if (!certs[i]!.checkIssued(certs[i + 1]!) || !certs[i]!.verify(certs[i + 1]!.publicKey))
      return 'broken chain';
  }
  const top = certs[certs.length - 1]!;
  const cas = caPems.flatMap((p) => pemToDerChain(p)).map((d) => new X509Certificate(d));
  const trusted = cas.some(
    (ca) => (top.checkIssued(ca) && top.verify(ca.publicKey)) || top.raw.equals(ca.raw),
  );
  return trusted ? null : 'unknown CA';
}
