// QUIC-only: TLS session resumption and 0-RTT early data.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type Connection, createQuicTransport, type QuicEndpoint } from '../../src/transport/index.js';
import { certFixtures } from './harness.js';

const quic = createQuicTransport();
const open: QuicEndpoint[] = [];
after(async () => {
  await Promise.all(open.map((e) => e.close()));
});

async function pair(
  acceptEarlyData: boolean,
): Promise<{ server: QuicEndpoint; client: QuicEndpoint; seen: Connection[] }> {
  const f = await certFixtures();
  const server = await quic.createEndpoint({
    host: '127.0.0.1',
    idleTimeoutMs: 5000,
    acceptEarlyData,
    tls: { ...f.server, ca: f.ca.cert },
  });
  const client = await quic.createEndpoint({
    host: '127.0.0.1',
    idleTimeoutMs: 5000,
    tls: { ...f.client, ca: f.ca.cert },
  });
  open.push(server, client);
  const seen: Connection[] = [];
  server.onConnection((conn) => {
    seen.push(conn);
    conn.onStream(async (s) => {
      const parts: Uint8Array[] = [];
      for await (const c of s) parts.push(c);
      await s.end(Buffer.concat([Buffer.from('re:'), ...parts]));
    });
  });
  return { server, client, seen };
}

async function ask(conn: Connection, q: string): Promise<string> {
  const s = await conn.openStream({ timeoutMs: 5000 });
  await s.end(Buffer.from(q));
  let out = '';
  for await (const c of s) out += Buffer.from(c).toString();
  return out;
}

describe('quic session resumption and 0-RTT', () => {
  it('resumes the TLS session on the second dial and still exposes the verified peer chain', async () => {
    const { server, client, seen } = await pair(false);
    const first = await client.dial(server.address, { timeoutMs: 5000 });
    assert.equal(first.resumed, false);
    assert.equal(await ask(first, 'a'), 're:a');
    await first.close();
    const second = await client.dial(server.address, { timeoutMs: 5000 });
    assert.equal(second.resumed, true);
    assert.equal(second.peerCertificates.length, 1);
    assert.deepEqual(second.peerCertificates[0], first.peerCertificates[0]);
    assert.equal(await ask(second, 'b'), 're:b');
    assert.equal(seen.at(-1)?.resumed, true);
    assert.equal(seen.at(-1)?.peerCertificates.length, 1);
  });

  it('with earlyData, dial resolves before any packet came back and the request rides the first flight', async () => {
    const { server, client, seen } = await pair(true);
    const first = await client.dial(server.address, { earlyData: true, timeoutMs: 5000 });
    assert.ok(first.stats().packetsReceived > 0, 'no ticket yet: a normal handshake');
    assert.equal(await ask(first, 'one'), 're:one');
    await first.close();

    const early = await client.dial(server.address, { earlyData: true, timeoutMs: 5000 });
    assert.equal(early.stats().packetsReceived, 0, 'resolved without waiting for the server');
    assert.equal(early.resumed, true);
    assert.equal(await ask(early, 'two'), 're:two');
    const serverSide = seen.at(-1)!;
    assert.equal(serverSide.resumed, true);
    assert.equal(serverSide.peerCertificates.length, 1);
  });

  it('a server that does not accept early data still answers an early-data client after the handshake', async () => {
    const { server, client } = await pair(false);
    await (await client.dial(server.address, { timeoutMs: 5000 })).close();
    const early = await client.dial(server.address, { earlyData: true, timeoutMs: 5000 });
    assert.equal(await ask(early, 'late'), 're:late');
  });

  it('the verify hook runs on resumed and 0-RTT connections too, and can refuse them', async () => {
    const f = await certFixtures();
    let refuse = false;
    const server = await quic.createEndpoint({
      host: '127.0.0.1',
      acceptEarlyData: true,
      tls: {
        ...f.server,
        ca: f.ca.cert,
        verifyPeer: () => {
          if (refuse) throw new Error('revoked');
        },
      },
    });
    const client = await quic.createEndpoint({
      host: '127.0.0.1',
      idleTimeoutMs: 5000,
      tls: { ...f.client, ca: f.ca.cert },
    });
    open.push(server, client);
    await (await client.dial(server.address, { timeoutMs: 5000 })).close();
    refuse = true;
    const early = await client.dial(server.address, { earlyData: true, timeoutMs: 5000 });
    const info = await early.closed;
    assert.equal(info.kind, 'error');
    assert.equal(info.error?.code, 'TLS_REJECTED');
    await assert.rejects(client.dial(server.address, { timeoutMs: 5000 }), { code: 'TLS_REJECTED' });
  });
});
