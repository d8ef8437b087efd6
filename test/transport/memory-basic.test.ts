import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortError, TimeoutError } from '../../src/core/index.js';
import { issueCertificate, pemToDerChain } from '../../src/security/index.js';
import {
  ConnectionClosedError,
  EndpointClosedError,
  StreamResetError,
  TLS_ALERT,
  TlsError,
  TransportError,
  TransportUsageError,
} from '../../src/transport/errors.js';
import { STREAM_REFUSED_CODE } from '../../src/transport/index.js';
import { MemoryNetwork } from '../../src/transport/memory/index.js';
import type { Connection, Stream } from '../../src/transport/types.js';
import { pair, pki, runUntil, tls, virtualNet } from './memory-fixtures.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function readAll(s: Stream): Promise<string> {
  let out = '';
  for await (const chunk of s) out += dec.decode(chunk);
  return out;
}

describe('memory transport: basics on a virtual clock', () => {
  it('handshakes with mutual certificates and exposes both sides', async () => {
    const { net, clock } = virtualNet({ latencyMs: 5 });
    const { a, b, p } = await pair(net);
    const accepted = b.accept();
    const ca = await runUntil(clock, a.dial(b.address));
    const cb = await runUntil(clock, accepted);
    assert.equal(ca.role, 'client');
    assert.equal(cb.role, 'server');
    assert.deepEqual(ca.remoteAddress, b.address);
    assert.deepEqual(cb.remoteAddress, a.address);
    assert.deepEqual(ca.localAddress, a.address);
    assert.equal(a.address.host, 'a');
    assert.ok(a.address.port > 0);
    assert.deepEqual(ca.peerCertificates, pemToDerChain(p.bob.cert));
    assert.deepEqual(cb.peerCertificates, pemToDerChain(p.alice.cert));
    assert.equal(ca.resumed, false);
    assert.equal(ca.maxDatagramSize, 1200);
    assert.equal(ca.stats().rttMs, 10);
    assert.equal(a.connections().length, 1);
    assert.equal(b.stats().connections, 1);
  });

  it('carries a bidirectional stream both ways and a unidirectional one', async () => {
    const { net, clock } = virtualNet({ latencyMs: 2 });
    const { a, b } = await pair(net);
    b.onConnection((conn) => {
      conn.onStream((s) => {
        if (s.unidirectional) return;
        void (async () => {
          const text = await readAll(s);
          await s.end(enc.encode(text.toUpperCase()));
        })();
      });
    });
    const conn = await runUntil(clock, a.dial(b.address));
    const s = await runUntil(clock, conn.openStream());
    assert.equal(s.id, 0);
    assert.equal(s.initiator, 'local');
    await runUntil(clock, s.write(enc.encode('hello ')));
    await runUntil(clock, s.end(enc.encode('world')));
    assert.equal(await runUntil(clock, readAll(s)), 'HELLO WORLD');
    assert.deepEqual(await runUntil(clock, s.closed), { kind: 'finished' });
    const u = await runUntil(clock, conn.openStream({ unidirectional: true }));
    assert.equal(u.id, 2);
    assert.equal(await u.read(), null);
    const s2 = await runUntil(clock, conn.openStream());
    assert.equal(s2.id, 4);
    assert.equal(conn.stats().streamsOpened, 3);
  });

  it('rejects a peer from an unknown CA on both sides with the right alert', async () => {
    const { net, clock } = virtualNet({ latencyMs: 1 });
    const p = await pki();
    const other = await (await import('../../src/security/index.js')).createCertificateAuthority({
      commonName: 'x',
    });
    const stranger = await issueCertificate({ commonName: 'stranger' }, other);
    const b = await net.createEndpoint({ host: 'b', tls: tls(p.bob, p.ca) });
    const a = await net.createEndpoint({ host: 'a', tls: { ...tls(stranger, other), ca: p.ca.cert } });
    let seen = 0;
    b.onConnection(() => seen++);
    const err = await runUntil(clock, a.dial(b.address)).catch((e: unknown) => e);
    assert.ok(err instanceof TlsError);
    assert.equal(err.side, 'remote');
    assert.equal(err.alert, TLS_ALERT.unknownCa);
    assert.equal(b.stats().handshakesFailed, 1);
    assert.equal(a.stats().handshakesFailed, 0);
    // The other way round: the client refuses the server.
    const c = await net.createEndpoint({ host: 'c', tls: tls(stranger, other) });
    const err2 = await runUntil(clock, a.dial(c.address)).catch((e: unknown) => e);
    assert.ok(err2 instanceof TlsError);
    assert.equal(err2.side, 'local');
    assert.equal(err2.alert, TLS_ALERT.unknownCa);
    assert.equal(a.stats().handshakesFailed, 1);
    assert.equal(c.connections().length, 0);
    assert.equal(seen, 0);
  });

  it('refuses an expired certificate and a verifyPeer that throws', async () => {
    const { net, clock } = virtualNet();
    const p = await pki();
    const expired = await issueCertificate(
      {
        commonName: 'old',
        notBefore: new Date(Date.now() - 2 * 86_400_000),
        notAfter: new Date(Date.now() - 86_400_000),
      },
      p.ca,
    );
    const b = await net.createEndpoint({
      host: 'b',
      tls: {
        ...tls(p.bob, p.ca),
        verifyPeer: async ({ certificates, role }) => {
          assert.equal(role, 'server');
          if (certificates.length > 0 && certificates[0]!.length > 0) throw new Error('not on the list');
        },
      },
    });
    const old = await net.createEndpoint({ host: 'o', tls: tls(expired, p.ca) });
    const e1 = await runUntil(clock, old.dial(b.address)).catch((e: unknown) => e);
    assert.ok(e1 instanceof TlsError);
    assert.equal(e1.alert, TLS_ALERT.certificateExpired);
    const a = await net.createEndpoint({ host: 'a', tls: tls(p.alice, p.ca) });
    const e2 = await runUntil(clock, a.dial(b.address)).catch((e: unknown) => e);
    assert.ok(e2 instanceof TlsError);
    assert.equal(e2.alert, TLS_ALERT.badCertificate);
    assert.equal(e2.side, 'remote');
    assert.equal(b.stats().handshakesFailed, 2);
  });

  it('times out a dial to nothing, honours abort, and refuses a taken address', async () => {
    const { net, clock } = virtualNet({ latencyMs: 1 });
    const { a, b } = await pair(net);
    const t0 = clock.now();
    const e = await runUntil(clock, a.dial({ host: 'nowhere', port: 1 }, { timeoutMs: 500 })).catch(
      (x: unknown) => x,
    );
    assert.ok(e instanceof TimeoutError);
    assert.equal(clock.now() - t0, 500);
    const e2 = await runUntil(clock, a.dial({ host: 'nowhere', port: 1 })).catch((x: unknown) => x);
    assert.ok(e2 instanceof TimeoutError);
    const ctl = new AbortController();
    const dialing = a.dial({ host: 'nowhere', port: 1 }, { signal: ctl.signal });
    ctl.abort();
    await assert.rejects(dialing, AbortError);
    const p = await pki();
    await assert.rejects(
      net.createEndpoint({ host: 'b', port: b.address.port, tls: tls(p.bob) }),
      (x: unknown) => x instanceof TransportError && x.code === 'ADDRESS_IN_USE',
    );
    assert.equal(a.connections().length, 0);
  });

  it('dial deadlines win over a shorter idle timeout; a dial can reach its own endpoint and a wildcard bind', async () => {
    const { net, clock } = virtualNet({ latencyMs: 1 });
    const p = await pki();
    const a = await net.createEndpoint({ host: 'a', tls: tls(p.alice, p.ca), idleTimeoutMs: 200 });
    const t0 = clock.now();
    const e = await runUntil(clock, a.dial({ host: 'nowhere', port: 9 }, { timeoutMs: 500 })).catch(
      (x: unknown) => x,
    );
    assert.ok(e instanceof TimeoutError);
    assert.equal(clock.now() - t0, 500);
    const self = await runUntil(clock, a.dial(a.address));
    const inbound = await runUntil(clock, a.accept());
    assert.equal(self.role, 'client');
    assert.equal(inbound.role, 'server');
    assert.equal(a.connections().length, 2);
    const any = await net.createEndpoint({ host: '0.0.0.0', tls: tls(p.bob, p.ca) });
    const c = await runUntil(clock, a.dial({ host: '127.0.0.1', port: any.address.port }));
    assert.equal(c.remoteAddress.port, any.address.port);
    await assert.rejects(new MemoryNetwork().createEndpoint({ tls: tls(p.bob), clock }), TransportUsageError);
  });

  it('resets streams with a code in both directions', async () => {
    const { net, clock } = virtualNet({ latencyMs: 1 });
    const { a, b } = await pair(net);
    const accepted = b.accept();
    const ca = await runUntil(clock, a.dial(b.address));
    const cb = await runUntil(clock, accepted);
    const s = await runUntil(clock, ca.openStream());
    await runUntil(clock, s.write(enc.encode('x')));
    const peer = await runUntil(clock, cb.acceptStream());
    assert.equal(dec.decode((await runUntil(clock, peer.read()))!), 'x');
    const pending = peer.read();
    s.reset(7);
    const err = await runUntil(clock, pending).catch((x: unknown) => x);
    assert.ok(err instanceof StreamResetError);
    assert.equal(err.resetCode, 7);
    await assert.rejects(peer.write(enc.encode('y')), StreamResetError);
    assert.deepEqual(await runUntil(clock, peer.closed), { kind: 'reset', code: 7 });
  });

  it('makes openStream wait while the peer stream limit is used up', async () => {
    const { net, clock } = virtualNet({ latencyMs: 1 });
    const { a, b } = await pair(net, { maxIncomingStreams: 2 });
    const accepted = b.accept();
    const ca = await runUntil(clock, a.dial(b.address));
    const cb = await runUntil(clock, accepted);
    const s1 = await runUntil(clock, ca.openStream());
    await runUntil(clock, ca.openStream());
    const third = ca.openStream();
    let opened = false;
    void third.then(() => {
      opened = true;
    });
    await clock.advance(50);
    assert.equal(opened, false);
    // Finishing s1 on both sides frees a slot at the receiver, which grants it back.
    const r1 = await runUntil(clock, cb.acceptStream());
    assert.equal(r1.id, s1.id);
    await runUntil(clock, s1.end());
    assert.equal(await runUntil(clock, r1.read()), null);
    await runUntil(clock, r1.end());
    const s3 = await runUntil(clock, third);
    assert.equal(s3.id, 8);
    assert.equal(opened, true);
  });

  it('refuses incoming streams beyond the accept queue with STREAM_REFUSED_CODE', async () => {
    const { net, clock } = virtualNet({ latencyMs: 1 });
    const { a, b } = await pair(net, { acceptQueueSize: 1 });
    const accepted = b.accept();
    const ca = await runUntil(clock, a.dial(b.address));
    const cb = await runUntil(clock, accepted);
    const s1 = await runUntil(clock, ca.openStream());
    const s2 = await runUntil(clock, ca.openStream());
    assert.deepEqual(await runUntil(clock, s2.closed), { kind: 'reset', code: STREAM_REFUSED_CODE });
    await assert.rejects(s2.write(enc.encode('late')), StreamResetError);
    assert.equal(b.stats().dropped.overCapacity, 1);
    assert.equal((await runUntil(clock, cb.acceptStream())).id, s1.id);
  });

  it('sends datagrams, rejects too large ones and drops on a full queue', async () => {
    const { net, clock } = virtualNet({ latencyMs: 1 });
    const { a, b } = await pair(net, { acceptQueueSize: 2 });
    const accepted = b.accept();
    const ca = await runUntil(clock, a.dial(b.address));
    const cb = await runUntil(clock, accepted);
    assert.throws(() => ca.sendDatagram(new Uint8Array(1201)), TransportUsageError);
    const buf = enc.encode('d0');
    assert.equal(ca.sendDatagram(buf), true);
    buf[1] = 0x39; // the transport copied: reusing the buffer is safe
    ca.sendDatagram(enc.encode('d1'));
    ca.sendDatagram(enc.encode('d2'));
    await clock.advance(5);
    assert.equal(dec.decode(await cb.receiveDatagram()), 'd0');
    assert.equal(dec.decode(await cb.receiveDatagram()), 'd1');
    assert.equal(cb.stats().datagramsDropped, 1);
    assert.equal(cb.stats().datagramsReceived, 3);
    assert.equal(ca.stats().datagramsSent, 3);
  });

  it('closes with code and reason on both sides and fails pending operations', async () => {
    const { net, clock } = virtualNet({ latencyMs: 3 });
    const { a, b } = await pair(net);
    const accepted = b.accept();
    const ca = await runUntil(clock, a.dial(b.address));
    const cb = await runUntil(clock, accepted);
    const s = await runUntil(clock, ca.openStream());
    const pendingRead = s.read();
    const pendingAccept = cb.acceptStream();
    const pendingDgram = cb.receiveDatagram();
    await ca.close({ code: 42, reason: 'bye' });
    assert.deepEqual(await ca.closed, { kind: 'local', code: 42, reason: 'bye' });
    await assert.rejects(pendingRead, ConnectionClosedError);
    assert.deepEqual(await runUntil(clock, cb.closed), { kind: 'remote', code: 42, reason: 'bye' });
    // The stream was opened before the close: it was accepted, then lost with the connection.
    const acc = await pendingAccept.catch((e: unknown) => e);
    if (!(acc instanceof ConnectionClosedError))
      await assert.rejects((acc as Stream).read(), ConnectionClosedError);
    await assert.rejects(pendingDgram, ConnectionClosedError);
    assert.equal(ca.sendDatagram(new Uint8Array(1)), false);
    assert.equal(ca.maxDatagramSize, 0);
    assert.equal(a.connections().length, 0);
    assert.equal(b.connections().length, 0);
  });

  it('closes an endpoint: connections end, accept rejects, the address is free again', async () => {
    const { net, clock } = virtualNet({ latencyMs: 1 });
    const { a, b, p } = await pair(net);
    const accepted = b.accept();
    const ca = await runUntil(clock, a.dial(b.address));
    await runUntil(clock, accepted);
    const pendingAccept = b.accept();
    await b.close({ code: 3, reason: 'shutdown' });
    await assert.rejects(pendingAccept, EndpointClosedError);
    await assert.rejects(b.accept(), EndpointClosedError);
    await assert.rejects(b.dial(a.address), EndpointClosedError);
    assert.deepEqual(await runUntil(clock, ca.closed), { kind: 'remote', code: 3, reason: 'shutdown' });
    const again = await net.createEndpoint({ host: 'b', port: b.address.port, tls: tls(p.bob, p.ca) });
    assert.equal(again.address.port, b.address.port);
  });

  it('delivers raw datagrams to onRaw handlers, not to connections', async () => {
    const { net, clock } = virtualNet({ latencyMs: 4 });
    const { a, b } = await pair(net);
    const got: [string, string][] = [];
    b.onRaw((data, from) => got.push([dec.decode(data), `${from.host}:${from.port}`]));
    await a.sendRaw(b.address, enc.encode('stun'));
    await clock.advance(3);
    assert.equal(got.length, 0);
    await clock.advance(1);
    assert.deepEqual(got, [['stun', `a:${a.address.port}`]]);
  });

  it('works on the system clock with zero latency', async () => {
    const net = new MemoryNetwork();
    const { a, b } = await pair(net);
    b.onConnection((conn: Connection) => {
      conn.onStream((s) => {
        void (async () => {
          for await (const chunk of s) await s.write(chunk);
          await s.end();
        })();
      });
    });
    const conn = await a.dial(b.address, { timeoutMs: 2000 });
    const s = await conn.openStream();
    const payload = new Uint8Array(1_000_000).map((_, i) => i & 0xff);
    const reading = (async () => {
      const parts: Uint8Array[] = [];
      for await (const c of s) parts.push(c);
      return Buffer.concat(parts);
    })();
    await s.end(payload);
    assert.ok((await reading).equals(payload));
    await conn.close();
    await a.close();
    await b.close();
  });
});
