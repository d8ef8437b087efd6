/** TLS material for one run: an Ed25519 CA, a server and a client certificate (our x509 helpers). */
import { createCertificateAuthority, issueCertificate } from '../../src/security/x509.js';
import type { TlsMaterial } from './adapter.js';

export const SERVER_NAME = 'localhost';

export async function makeTlsMaterial(): Promise<TlsMaterial> {
  const ca = await createCertificateAuthority({ commonName: 'macula-bench-ca' });
  const server = await issueCertificate({ commonName: 'bench-server', dnsNames: [SERVER_NAME] }, ca);
  const client = await issueCertificate({ commonName: 'bench-client', dnsNames: ['bench-client'] }, ca);
  return { ca: ca.cert, server, client, serverName: SERVER_NAME };
}
