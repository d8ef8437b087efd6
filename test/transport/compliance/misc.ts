import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortError, TimeoutError } from '../../../src/core/index.js';
import { echo, readAll } from '../../helpers/bytes.js';
import { waitFor, within } from '../../helpers/wait.js';
import type { TransportHarness } from '../harness.js';
import { connectPair } from './context.js';

export function miscTests(h: TransportHarness): void {
  describe('stats', () => {
    it('connection and endpoint stats count real traffic', { timeout: 10_000 }, async (t) => {
      const { server, client, clientConn, serverConn } = await connectPair(t, h);
      const served = serverConn.acceptStream({ timeoutMs: 5_000 }).then(echo);
      const s = await clientConn.openStream();
      await s.end(Buffer.alloc(20_000, 1));
      assert.equal((await readAll(s)).length, 20_000);
      await served;
      for (const [name, c] of [
        ['client', clientConn],
        ['server', serverConn],
      ] as const) {
        const st = c.stats();
        assert.ok(st.bytesSent >= 20_000, `${name} bytesSent ${st.bytesSent}`);
        assert.ok(st.bytesReceived >= 20_000, `${name} bytesReceived ${st.bytesReceived}`);
        assert.ok(st.packetsSent > 0, `${name} packetsSent ${st.packetsSent}`);
        assert.ok(st.packetsReceived > 0, `${name} packetsReceived ${st.packetsReceived}`);
        assert.ok(st.rttMs >= 0 && Number.isFinite(st.rttMs), `${name} rttMs ${st.rttMs}`);
      }
      assert.equal(clientConn.stats().streamsOpened, 1);
      assert.equal(serverConn.stats().streamsAccepted, 1);
      for (const [name, ep] of [
        ['client', client],
        ['server', server],
      ] as const) {
        const st = ep.stats();
        assert.equal(st.connections, 1, `${name} endpoint connections`);
        assert.ok(st.packetsSent > 0 && st.packetsReceived > 0, `${name} endpoint packets`);
        assert.ok(st.bytesSent >= 20_000 && st.bytesReceived >= 20_000, `${name} endpoint bytes`);
      }
      await clientConn.close();
      await within(serverConn.closed, 5_000, 'server sees the close');
      assert.equal(client.stats().connections, 0);
      await waitFor(() => server.stats().connections === 0, {
        timeoutMs: 2_000,
        what: 'server connections 0',
      });
    });
  });

  describe('AbortSignal', () => {
    const aborted = (e: unknown) => e instanceof AbortError && e.code === 'ABORTED';

    it('acceptStream with an aborted signal rejects and leaves the connection usable', {
      timeout: 10_000,
    }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      await assert.rejects(serverConn.acceptStream({ signal: AbortSignal.abort() }), aborted);
      const ac = new AbortController();
      const waiting = assert.rejects(serverConn.acceptStream({ signal: ac.signal }), aborted);
      ac.abort();
      await waiting;
      const served = serverConn.acceptStream({ timeoutMs: 5_000 }).then(echo);
      const s = await clientConn.openStream();
      await s.end(Buffer.from('after abort'));
      assert.equal((await readAll(s)).toString(), 'after abort');
      await served;
    });

    it('receiveDatagram with an aborted signal rejects and leaves datagrams flowing', {
      timeout: 10_000,
    }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      await assert.rejects(serverConn.receiveDatagram({ signal: AbortSignal.abort() }), aborted);
      const next = serverConn.receiveDatagram({ timeoutMs: 5_000 });
      assert.equal(clientConn.sendDatagram(Buffer.from('dgram')), true);
      assert.equal(Buffer.from(await next).toString(), 'dgram');
    });

    it('accept with an aborted signal rejects and leaves the endpoint accepting', {
      timeout: 10_000,
    }, async (t) => {
      const { server, client } = await connectPair(t, h);
      await assert.rejects(server.accept({ signal: AbortSignal.abort() }), aborted);
      const [c, s] = await Promise.all([
        client.dial(server.address, { timeoutMs: 5_000 }),
        server.accept({ timeoutMs: 5_000 }),
      ]);
      assert.equal(c.role, 'client');
      assert.equal(s.role, 'server');
      assert.equal(server.connections().length, 2);
    });

    it('timeoutMs bounds acceptStream, receiveDatagram and accept', { timeout: 10_000 }, async (t) => {
      const { server, serverConn } = await connectPair(t, h);
      const timedOut = (e: unknown) => e instanceof TimeoutError && e.code === 'TIMEOUT';
      // within(): an implementation that ignores timeoutMs fails here instead of hanging.
      await within(
        assert.rejects(serverConn.acceptStream({ timeoutMs: 50 }), timedOut),
        2_000,
        'acceptStream',
      );
      await within(
        assert.rejects(serverConn.receiveDatagram({ timeoutMs: 50 }), timedOut),
        2_000,
        'receiveDatagram',
      );
      await within(assert.rejects(server.accept({ timeoutMs: 50 }), timedOut), 2_000, 'accept');
    });
  });
}
