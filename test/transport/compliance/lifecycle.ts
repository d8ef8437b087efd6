import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortError, TimeoutError } from '../../../src/core/index.js';
import { ConnectionClosedError, EndpointClosedError } from '../../../src/transport/index.js';
import { echo, readAll } from '../../helpers/bytes.js';
import { stillPendingAfter, waitFor, within } from '../../helpers/wait.js';
import { certFixtures, type TransportHarness, tls } from '../harness.js';
import { connectPair, openEndpoint } from './context.js';

export function lifecycleTests(h: TransportHarness): void {
  describe('close semantics', () => {
    it('conn.close(code, reason) reaches the peer and fails everything pending', {
      timeout: 10_000,
    }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      const s = await clientConn.openStream();
      await s.write(Buffer.from('x'));
      const r = await serverConn.acceptStream({ timeoutMs: 5_000 });
      // Handlers are attached before the close so no rejection is ever unobserved.
      const pending = [
        assert.rejects(s.read(), ConnectionClosedError, 'client pending read'),
        assert.rejects(
          r.read().then(() => r.read()),
          ConnectionClosedError,
          'server pending read',
        ),
        assert.rejects(clientConn.acceptStream(), ConnectionClosedError, 'client pending acceptStream'),
        assert.rejects(serverConn.acceptStream(), ConnectionClosedError, 'server pending acceptStream'),
      ];

      await clientConn.close({ code: 42, reason: 'bye' });
      const local = await clientConn.closed;
      assert.equal(local.kind, 'local');
      assert.equal(local.code, 42);
      assert.equal(local.reason, 'bye');
      const remote = await within(serverConn.closed, 5_000, 'server sees the close');
      assert.equal(remote.kind, 'remote');
      assert.equal(remote.code, 42);
      assert.equal(remote.reason, 'bye');

      await assert.rejects(clientConn.openStream(), ConnectionClosedError);
      await assert.rejects(serverConn.openStream(), ConnectionClosedError);
      await assert.rejects(clientConn.acceptStream(), ConnectionClosedError, 'accepting after close');
      await Promise.all(pending);
      await assert.rejects(s.write(Buffer.from('late')), ConnectionClosedError, 'write on a dead connection');
      assert.equal(
        clientConn.sendDatagram(new Uint8Array(1)),
        false,
        'a datagram on a closed connection is dropped',
      );
      assert.deepEqual(await s.closed, { kind: 'connection' });
      assert.deepEqual(await r.closed, { kind: 'connection' });
      await clientConn.close(); // idempotent
      await clientConn.close({ code: 1 });
      assert.equal((await clientConn.closed).code, 42, 'a second close does not change the outcome');
    });

    it('endpoint.close() closes its connections and then refuses accept()', {
      timeout: 10_000,
    }, async (t) => {
      const { server, client, clientConn, serverConn } = await connectPair(t, h);
      const pendingAccept = assert.rejects(server.accept(), EndpointClosedError, 'accept pending at close');
      await server.close({ code: 5, reason: 'shutting down' });
      await server.closed;
      assert.equal((await serverConn.closed).kind, 'local');
      const seen = await within(clientConn.closed, 5_000, 'client sees the endpoint close');
      assert.equal(seen.kind, 'remote');
      assert.equal(seen.code, 5);
      assert.equal(seen.reason, 'shutting down');
      await pendingAccept;
      await assert.rejects(server.accept(), EndpointClosedError);
      await assert.rejects(server.dial(client.address, { timeoutMs: 1_000 }), EndpointClosedError);
      assert.equal(server.connections().length, 0);
      await waitFor(() => client.connections().length === 0, { timeoutMs: 2_000, what: 'client forgets it' });
      await server.close(); // idempotent
    });
  });

  describe('dialing', () => {
    it('a dial to a silent address times out with TimeoutError', { timeout: 10_000 }, async (t) => {
      const f = await certFixtures();
      const client = await openEndpoint(t, h, { tls: tls(f.client, f.ca) });
      const dead = await h.deadAddress();
      const start = performance.now();
      await assert.rejects(
        client.dial(dead, { timeoutMs: 500 }),
        (e: unknown) => e instanceof TimeoutError && e.code === 'TIMEOUT',
      );
      const elapsed = performance.now() - start;
      assert.ok(elapsed >= 400 && elapsed < 3_000, `timed out after ${elapsed.toFixed(0)} ms`);
      await waitFor(() => client.connections().length === 0, {
        timeoutMs: 2_000,
        what: 'no half-open dial left',
      });
    });

    it('an endpoint with acceptIncoming false surfaces no connection', { timeout: 10_000 }, async (t) => {
      const f = await certFixtures();
      const server = await openEndpoint(t, h, { tls: tls(f.server, f.ca), acceptIncoming: false });
      let surfaced = 0;
      server.onConnection(() => surfaced++);
      const client = await openEndpoint(t, h, { tls: tls(f.client, f.ca) });
      // The contract: a hello the endpoint will not serve is dropped silently and counted.
      await assert.rejects(client.dial(server.address, { timeoutMs: 500 }), TimeoutError);
      assert.equal(surfaced, 0);
      assert.ok(server.stats().dropped.unknownConnection >= 1, 'the refused hello is counted');
      assert.equal(server.connections().length, 0);
      // It still dials out.
      const other = await openEndpoint(t, h, { tls: tls(f.server, f.ca) });
      const [c] = await Promise.all([
        server.dial(other.address, { timeoutMs: 5_000 }),
        other.accept({ timeoutMs: 5_000 }),
      ]);
      assert.equal(c.role, 'client');
    });

    it('dialTimeoutMs is the default dial timeout', { timeout: 10_000 }, async (t) => {
      const f = await certFixtures();
      const client = await openEndpoint(t, h, { tls: tls(f.client, f.ca), dialTimeoutMs: 500 });
      const start = performance.now();
      await assert.rejects(client.dial(await h.deadAddress()), TimeoutError);
      const elapsed = performance.now() - start;
      assert.ok(elapsed >= 400 && elapsed < 3_000, `timed out after ${elapsed.toFixed(0)} ms`);
    });

    it('a dial with an aborted or aborting signal rejects with AbortError', {
      timeout: 10_000,
    }, async (t) => {
      const f = await certFixtures();
      const client = await openEndpoint(t, h, { tls: tls(f.client, f.ca) });
      const dead = await h.deadAddress();
      const isAbort = (e: unknown) => e instanceof AbortError && e.code === 'ABORTED';
      await assert.rejects(client.dial(dead, { signal: AbortSignal.abort() }), isAbort);
      const ac = new AbortController();
      const dialing = client.dial(dead, { signal: ac.signal, timeoutMs: 5_000 });
      await sleep(100);
      const start = performance.now();
      ac.abort();
      await assert.rejects(dialing, isAbort);
      assert.ok(performance.now() - start < 1_000, 'abort takes effect promptly');
      await waitFor(() => client.connections().length === 0, {
        timeoutMs: 2_000,
        what: 'no half-open dial left',
      });
    });
  });

  describe('liveness', () => {
    it('a crashed peer is detected by the idle timeout', { timeout: 10_000 }, async (t) => {
      const opts = { idleTimeoutMs: 1_000 };
      const { server, client, clientConn } = await connectPair(t, h, { server: opts, client: opts });
      const s = await clientConn.openStream();
      await s.end(Buffer.from('alive'));
      const start = performance.now();
      h.crash(server);
      const info = await within(clientConn.closed, 5_000, 'client notices the crash');
      const elapsed = performance.now() - start;
      assert.equal(info.kind, 'idle');
      assert.ok(elapsed >= 500, `closed after ${elapsed.toFixed(0)} ms: too early for an idle timeout`);
      await assert.rejects(clientConn.openStream(), ConnectionClosedError);
      assert.equal(client.connections().includes(clientConn), false);
    });

    it('keep-alives hold a quiet connection open past its idle timeout', { timeout: 10_000 }, async (t) => {
      const opts = { idleTimeoutMs: 1_000 };
      const { clientConn, serverConn } = await connectPair(t, h, { server: opts, client: opts });
      // Waiting on time is the point here: nothing but keep-alives may flow for 2.5 s.
      assert.ok(await stillPendingAfter(clientConn.closed, 2_500), 'client connection closed while idle');
      assert.ok(await stillPendingAfter(serverConn.closed, 0), 'server connection closed while idle');
      const served = serverConn.acceptStream({ timeoutMs: 5_000 }).then(echo);
      const s = await clientConn.openStream();
      await s.end(Buffer.from('still there'));
      assert.equal((await readAll(s)).toString(), 'still there');
      await served;
    });
  });
}
