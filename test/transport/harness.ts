import { createSocket, type Socket } from 'node:dgram';
import {
  type CertificateAuthority,
  type CertificateBundle,
  createCertificateAuthority,
  issueCertificate,
} from '../../src/security/index.js';
import type { Address, Endpoint, EndpointOptions, TlsOptions, Transport } from '../../src/transport/index.js';

/** What the compliance suite needs to know about a transport. */
export interface TransportHarness {
  name: string;
  transport: Transport;
  /** endpoint options the suite should merge in (host etc.) */
  baseOptions: Partial<EndpointOptions>;
  /** crash an endpoint without a goodbye */
  crash(ep: Endpoint): void;
  /** an address where nothing answers */
  deadAddress(): Promise<Address>;
  /** Releases whatever the harness itself holds (black-hole sockets); run once after the suite. */
  dispose?(): Promise<void>;
}

/** Certificates shared by every test of a file. */
export interface CertFixtures {
  ca: CertificateAuthority;
  /** A CA nobody trusts. */
  untrustedCa: CertificateAuthority;
  server: CertificateBundle;
  client: CertificateBundle;
  /** Issued by {@link untrustedCa}. */
  untrusted: CertificateBundle;
  /** Issued by the trusted CA, valid until yesterday. */
  expired: CertificateBundle;
}

let cached: Promise<CertFixtures> | undefined;

/** The file's fixtures, generated on first use (Ed25519 keys are cheap, but not free). */
export function certFixtures(): Promise<CertFixtures> {
  cached ??= makeFixtures();
  return cached;
}

async function makeFixtures(): Promise<CertFixtures> {
  const ca = await createCertificateAuthority({ commonName: 'macula test CA' });
  const untrustedCa = await createCertificateAuthority({ commonName: 'untrusted CA' });
  const day = 86_400_000;
  const [server, client, untrusted, expired] = await Promise.all([
    issueCertificate({ commonName: 'server', uris: ['macula://test/server'] }, ca),
    issueCertificate({ commonName: 'client', uris: ['macula://test/client'] }, ca),
    issueCertificate({ commonName: 'intruder' }, untrustedCa),
    issueCertificate(
      {
        commonName: 'expired',
        notBefore: new Date(Date.now() - 3 * day),
        notAfter: new Date(Date.now() - day),
      },
      ca,
    ),
  ]);
  return { ca, untrustedCa, server, client, untrusted, expired };
}

/** TLS options presenting `who` and trusting `ca`. */
export function tls(
  who: CertificateBundle,
  ca: CertificateAuthority,
  extra?: Partial<TlsOptions>,
): TlsOptions {
  return { cert: who.cert, key: who.key, ca: ca.cert, ...extra };
}

/**
 * Real UDP black holes for dial-timeout tests: a bound socket that never answers (a closed
 * port would draw ICMP errors, which is a different failure from a silent peer).
 */
export function blackHoles(host = '127.0.0.1'): { next(): Promise<Address>; dispose(): Promise<void> } {
  const sockets: Socket[] = [];
  return {
    async next() {
      const s = createSocket('udp4');
      sockets.push(s);
      s.on('message', () => {});
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(0, host, () => resolve());
      });
      s.unref();
      return { host, port: s.address().port };
    },
    async dispose() {
      await Promise.all(sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
