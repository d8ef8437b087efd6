// `npm run demo`: three QUIC endpoints on loopback form a full mesh with mutual TLS
// (certificates from one realm CA), ping each other over streams and datagrams, and
// print what they see. The node layer (identity, membership, pub/sub) builds on this.
import {
  type Connection,
  createCertificateAuthority,
  createQuicTransport,
  issueCertificate,
} from '../src/index.js';

const NODES = 3;
const transport = createQuicTransport();
const ca = await createCertificateAuthority({ commonName: 'org.example.mesh CA' });

const endpoints = await Promise.all(
  Array.from({ length: NODES }, async (_, i) => {
    const cert = await issueCertificate(
      { commonName: `node${i + 1}`, uris: [`macula://org.example.mesh/node${i + 1}`] },
      ca,
    );
    const ep = await transport.createEndpoint({ host: '127.0.0.1', tls: { ...cert, ca: ca.cert } });
    // Every node echoes what arrives on a stream and answers datagrams.
    ep.onConnection((conn) => serve(conn));
    console.log(`[node${i + 1}] listening on ${ep.address.host}:${ep.address.port} (UDP, QUIC + TLS 1.3)`);
    return ep;
  }),
);

function serve(conn: Connection): void {
  conn.onStream(async (s) => {
    try {
      for await (const chunk of s) await s.write(chunk);
      await s.end();
    } catch {
      // The peer went away mid-stream: nothing to answer.
    }
  });
  conn.onDatagram((d) => conn.sendDatagram(d));
}

const name = (port: number) => `node${endpoints.findIndex((e) => e.address.port === port) + 1}`;
for (let i = 0; i < NODES; i++) {
  for (let j = i + 1; j < NODES; j++) {
    const a = endpoints[i]!;
    const b = endpoints[j]!;
    const conn = await a.dial(b.address, { timeoutMs: 5000 });
    const stream = await conn.openStream();
    const t0 = performance.now();
    await stream.end(new TextEncoder().encode(`hello from node${i + 1}`));
    let reply = '';
    for await (const chunk of stream) reply += new TextDecoder().decode(chunk);
    const ms = (performance.now() - t0).toFixed(2);
    const echo = conn.receiveDatagram({ timeoutMs: 2000 });
    conn.sendDatagram(new Uint8Array([1, 2, 3]));
    const dg = await echo.catch(() => null);
    console.log(
      `[node${i + 1}] connected to ${name(b.address.port)}: echo "${reply}" in ${ms} ms, ` +
        `datagram ${dg ? 'echoed' : 'lost'}, RTT ${conn.stats().rttMs.toFixed(2)} ms, peer cert ${conn.peerCertificates[0]?.byteLength} bytes`,
    );
  }
}

const total = endpoints.reduce((n, e) => n + e.connections().length, 0) / 2;
console.log(`mesh up: ${NODES} nodes, ${total} connections`);
await Promise.all(endpoints.map((e) => e.close({ reason: 'demo done' })));
console.log('all endpoints closed cleanly');
