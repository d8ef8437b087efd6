import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamResetError, TransportUsageError } from '../../../src/transport/index.js';
import { echo, readAll, tagged } from '../../helpers/bytes.js';
import { within } from '../../helpers/wait.js';
import type { TransportHarness } from '../harness.js';
import { connectPair, Tasks } from './context.js';

export function streamTests(h: TransportHarness): void {
  describe('streams', () => {
    it('echoes on a bidirectional stream opened by the client', { timeout: 10_000 }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      const served = serverConn.acceptStream({ timeoutMs: 5_000 }).then(async (s) => {
        assert.equal(s.initiator, 'remote');
        assert.equal(s.unidirectional, false);
        await echo(s);
        return s.closed;
      });
      const s = await clientConn.openStream();
      assert.equal(s.initiator, 'local');
      assert.equal(s.unidirectional, false);
      const payload = tagged(1, 10_000);
      await s.end(payload);
      assert.deepEqual(await readAll(s), payload);
      assert.equal(await s.read(), null, 'reads after FIN keep returning null');
      assert.deepEqual(await s.closed, { kind: 'finished' });
      assert.deepEqual(await served, { kind: 'finished' });
    });

    it('echoes on a stream the server opens', { timeout: 10_000 }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      const unsubscribe = clientConn.onStream((s) => {
        void echo(s).catch(() => s.reset(1));
      });
      const s = await serverConn.openStream();
      const payload = tagged(2, 3_000);
      await s.end(payload);
      assert.deepEqual(await readAll(s), payload);
      assert.deepEqual(await s.closed, { kind: 'finished' });
      unsubscribe();
    });

    it('carries a unidirectional stream one way only', { timeout: 10_000 }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      const s = await clientConn.openStream({ unidirectional: true });
      assert.equal(s.unidirectional, true);
      const payload = tagged(3, 5_000);
      const [, got] = await Promise.all([
        s.end(payload),
        serverConn.acceptStream({ timeoutMs: 5_000 }).then(async (r) => {
          assert.equal(r.unidirectional, true);
          await assert.rejects(r.write(new Uint8Array(1)), TransportUsageError);
          return readAll(r);
        }),
      ]);
      assert.deepEqual(got, payload);
      assert.equal(await s.read(), null, 'our own unidirectional stream has nothing to read');
    });

    for (const maxIncomingStreams of [undefined, 100]) {
      const label = maxIncomingStreams
        ? `with maxIncomingStreams ${maxIncomingStreams}`
        : 'with default limits';
      it(`completes 1,000 concurrent streams ${label}`, { timeout: 60_000 }, async (t) => {
        const { clientConn, serverConn } = await connectPair(t, h, { server: { maxIncomingStreams } });
        const tasks = new Tasks();
        let open = 0;
        let maxOpen = 0;
        serverConn.onStream((s) => {
          open++;
          maxOpen = Math.max(maxOpen, open);
          tasks.spawn(echo(s).finally(() => open--));
        });
        const n = 1_000;
        const results = await Promise.allSettled(
          Array.from({ length: n }, async (_, i) => {
            const s = await clientConn.openStream({ timeoutMs: 50_000 });
            const payload = tagged(i, 16 + (i % 200));
            await s.end(payload);
            const got = await readAll(s);
            assert.deepEqual(got, payload, `stream ${i} echoed the wrong bytes`);
          }),
        );
        const failed = results.filter((r) => r.status === 'rejected');
        assert.equal(
          failed.length,
          0,
          `${failed.length} streams failed, first: ${String(failed[0]?.reason)}`,
        );
        await tasks.settled();
        assert.deepEqual(tasks.errors, []);
        if (maxIncomingStreams) {
          assert.ok(maxOpen <= maxIncomingStreams, `server saw ${maxOpen} streams open at once`);
        }
        t.diagnostic(`max streams open at once on the server: ${maxOpen}`);
      });
    }

    it('half-close: the client still reads a reply written after its FIN arrived', {
      timeout: 10_000,
    }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      const served = serverConn.acceptStream({ timeoutMs: 5_000 }).then(async (s) => {
        const request = await readAll(s); // returns only once the client's FIN is here
        await s.write(Buffer.from(`got ${request.length} bytes, `));
        await s.end(Buffer.from('and your FIN'));
      });
      const s = await clientConn.openStream();
      await s.write(Buffer.from('hello'));
      await s.end();
      await assert.rejects(s.write(Buffer.from('late')), TransportUsageError, 'write after end');
      assert.equal((await readAll(s)).toString(), 'got 5 bytes, and your FIN');
      await served;
      assert.deepEqual(await s.closed, { kind: 'finished' });
    });

    it('reset by the client fails the server read with the code', { timeout: 10_000 }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      const s = await clientConn.openStream();
      await s.write(Buffer.from('first'));
      const r = await serverConn.acceptStream({ timeoutMs: 5_000 });
      assert.equal(Buffer.from((await r.read()) ?? []).toString(), 'first');
      const pending = r.read();
      s.reset(7);
      await assert.rejects(pending, (e: unknown) => e instanceof StreamResetError && e.resetCode === 7);
      await assert.rejects(r.read(), StreamResetError, 'later reads keep failing');
      assert.deepEqual(await within(r.closed, 3_000, 'reset stream closes on the server'), {
        kind: 'reset',
        code: 7,
      });
      assert.deepEqual(await s.closed, { kind: 'reset', code: 7 });
      await assert.rejects(s.write(Buffer.from('x')), StreamResetError, 'our writes fail after our reset');
    });

    it('reset by the server fails the client read with the code', { timeout: 10_000 }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      const s = await clientConn.openStream();
      await s.write(Buffer.from('ping'));
      const r = await serverConn.acceptStream({ timeoutMs: 5_000 });
      await r.read();
      const pending = s.read();
      r.reset(9);
      await assert.rejects(pending, (e: unknown) => e instanceof StreamResetError && e.resetCode === 9);
      assert.deepEqual(await within(s.closed, 3_000, 'reset stream closes on the client'), {
        kind: 'reset',
        code: 9,
      });
      assert.deepEqual(await r.closed, { kind: 'reset', code: 9 });
      // The connection is not hurt by a stream reset.
      const again = await clientConn.openStream();
      const served = serverConn.acceptStream({ timeoutMs: 5_000 }).then(echo);
      await again.end(Buffer.from('still here'));
      assert.equal((await readAll(again)).toString(), 'still here');
      await served;
    });
  });
}
