import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import type { CertificateBundle } from '../../../src/security/index.js';
import { pemToDerChain } from '../../../src/security/index.js';
import {
  type Connection,
  type Endpoint,
  type PeerInfo,
  TLS_ALERT,
  TlsError,
} from '../../../src/transport/index.js';
import { hex } from '../../helpers/bytes.js';
import { waitFor } from '../../helpers/wait.js';
import { type CertFixtures, certFixtures, type TransportHarness, tls } from '../harness.js';
import { connectPair, openEndpoint } from './context.js';

const ALERTS: number[] = Object.values(TLS_ALERT);

function isTlsError(side: 'local' | 'remote') {
  return (e: unknown) => {
    assert.ok(e instanceof TlsError, `expected TlsError, got ${String(e)}`);
    assert.equal(e.side, side);
    assert.equal(e.code, 'TLS_REJECTED');
    assert.ok(ALERTS.includes(e.alert), `alert ${e.alert} is not one of TLS_ALERT`);
    return true;
  };
}

/** Expects the dial to reject with TlsError; if it resolves, says what became of the connection. */
async function expectRefused(dialing: Promise<Connection>, side: 'local' | 'remote'): Promise<void> {
  let conn: Connection;
  try {
    conn = await dialing;
  } catch (e) {
    isTlsError(side)(e);
    return;
  }
  const after = await Promise.race([conn.closed, sleep(1_000, 'still open after 1 s')]);
  assert.fail(
    `dial resolved instead of rejecting with TlsError(${side}); the connection then: ${inspect(after)}`,
  );
}

const ders = (chain: readonly Uint8Array[]) => chain.map(hex);

export function tlsTests(h: TransportHarness): void {
  /** A server trusting the test CA that counts every connection it surfaces. */
  async function countingServer(t: Parameters<typeof openEndpoint>[0], f: CertFixtures) {
    const server = await openEndpoint(t, h, { tls: tls(f.server, f.ca) });
    let surfaced = 0;
    server.onConnection(() => surfaced++);
    return { server, surfaced: () => surfaced };
  }

  async function refusedClientCert(
    t: Parameters<typeof openEndpoint>[0],
    pick: (f: CertFixtures) => CertificateBundle,
  ) {
    const f = await certFixtures();
    const { server, surfaced } = await countingServer(t, f);
    const client = await openEndpoint(t, h, { tls: tls(pick(f), f.ca) });
    await expectRefused(client.dial(server.address, { timeoutMs: 5_000 }), 'remote');
    await waitFor(() => server.stats().handshakesFailed >= 1, { timeoutMs: 2_000, what: 'handshakesFailed' });
    await waitFor(() => server.connections().length === 0, { timeoutMs: 2_000, what: 'server forgets it' });
    assert.equal(surfaced(), 0, 'the server surfaced a refused connection');
    assert.equal(client.connections().length, 0);
    return server;
  }

  describe('TLS', () => {
    it('a client certificate from an untrusted CA is refused by the server', {
      timeout: 10_000,
    }, async (t) => {
      await refusedClientCert(t, (f) => f.untrusted);
    });

    it('an expired client certificate is refused', { timeout: 10_000 }, async (t) => {
      await refusedClientCert(t, (f) => f.expired);
    });

    it('a server certificate from an untrusted CA is refused by the client', {
      timeout: 10_000,
    }, async (t) => {
      const f = await certFixtures();
      const server = await openEndpoint(t, h, { tls: tls(f.untrusted, f.ca) });
      let surfaced = 0;
      server.onConnection(() => surfaced++);
      const client = await openEndpoint(t, h, { tls: tls(f.client, f.ca) });
      await expectRefused(client.dial(server.address, { timeoutMs: 5_000 }), 'local');
      assert.equal(client.connections().length, 0);
      assert.ok(client.stats().handshakesFailed >= 1, 'client counts the failed handshake');
      await waitFor(() => server.connections().length === 0, { timeoutMs: 2_000, what: 'server forgets it' });
      assert.equal(surfaced, 0);
    });

    it('a throwing verifyPeer refuses the client and sees its DER chain', { timeout: 10_000 }, async (t) => {
      const f = await certFixtures();
      const seen: PeerInfo[] = [];
      const server = await openEndpoint(t, h, {
        tls: tls(f.server, f.ca, {
          verifyPeer: (peer) => {
            seen.push(peer);
            throw new Error('not in this realm');
          },
        }),
      });
      const client: Endpoint = await openEndpoint(t, h, { tls: tls(f.client, f.ca) });
      await expectRefused(client.dial(server.address, { timeoutMs: 5_000 }), 'remote');
      assert.equal(seen.length, 1);
      assert.deepEqual(ders(seen[0]!.certificates), ders(pemToDerChain(f.client.cert)));
      assert.equal(seen[0]!.role, 'server');
      assert.equal(seen[0]!.remoteAddress.port, client.address.port);
      await waitFor(() => server.stats().handshakesFailed >= 1, {
        timeoutMs: 2_000,
        what: 'handshakesFailed',
      });
    });

    it('an async verifyPeer that rejects on the client refuses the server', {
      timeout: 10_000,
    }, async (t) => {
      const f = await certFixtures();
      const server = await openEndpoint(t, h, { tls: tls(f.server, f.ca) });
      const client = await openEndpoint(t, h, {
        tls: tls(f.client, f.ca, { verifyPeer: async () => Promise.reject(new Error('wrong node id')) }),
      });
      await expectRefused(client.dial(server.address, { timeoutMs: 5_000 }), 'local');
    });

    it('the accepting side hears of refused handshakes through onHandshakeError', {
      timeout: 10_000,
    }, async (t) => {
      const f = await certFixtures();
      const heard: { port: number; error: Error }[] = [];
      const onHandshakeError = (i: { remoteAddress: { port: number }; error: Error }) =>
        void heard.push({ port: i.remoteAddress.port, error: i.error });
      // 1. The server refuses the client (untrusted CA).
      const server = await openEndpoint(t, h, { tls: tls(f.server, f.ca), onHandshakeError });
      const intruder = await openEndpoint(t, h, { tls: tls(f.untrusted, f.ca) });
      await expectRefused(intruder.dial(server.address, { timeoutMs: 5_000 }), 'remote');
      await waitFor(() => heard.length >= 1, { timeoutMs: 3_000, what: 'onHandshakeError (server refused)' });
      assert.equal(heard[0]!.port, intruder.address.port);
      isTlsError('local')(heard[0]!.error);
      // 2. The client refuses the server (its verifyPeer throws): the server hears the peer's refusal.
      const picky = await openEndpoint(t, h, {
        tls: tls(f.client, f.ca, {
          verifyPeer: () => {
            throw new Error('wrong realm');
          },
        }),
      });
      await expectRefused(picky.dial(server.address, { timeoutMs: 5_000 }), 'local');
      await waitFor(() => heard.length >= 2, { timeoutMs: 3_000, what: 'onHandshakeError (client refused)' });
      assert.equal(heard[1]!.port, picky.address.port);
      isTlsError('remote')(heard[1]!.error);
      assert.match(heard[1]!.error.message, /wrong realm/);
    });

    it('a connection exposes the peer DER chain on both sides', { timeout: 10_000 }, async (t) => {
      const seen: PeerInfo[] = [];
      const f = await certFixtures();
      const { clientConn, serverConn } = await connectPair(t, h, {
        client: { tls: tls(f.client, f.ca, { verifyPeer: (p) => void seen.push(p) }) },
      });
      assert.deepEqual(ders(clientConn.peerCertificates), ders(pemToDerChain(f.server.cert)));
      assert.deepEqual(ders(serverConn.peerCertificates), ders(pemToDerChain(f.client.cert)));
      assert.equal(clientConn.role, 'client');
      assert.equal(serverConn.role, 'server');
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.role, 'client');
      assert.deepEqual(ders(seen[0]!.certificates), ders(pemToDerChain(f.server.cert)));
    });
  });
}
