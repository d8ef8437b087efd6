import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { readAll, sha256 } from '../../helpers/bytes.js';
import { stillPendingAfter } from '../../helpers/wait.js';
import type { TransportHarness } from '../harness.js';
import { connectPair } from './context.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export function bulkTests(h: TransportHarness): void {
  describe('bulk transfer and backpressure', () => {
    it('moves 64 MiB intact, the writer awaiting each write', { timeout: 60_000 }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      const served = serverConn.acceptStream({ timeoutMs: 10_000 }).then(async (s) => {
        const hash = sha256();
        let n = 0;
        for await (const chunk of s) {
          hash.update(chunk);
          n += chunk.byteLength;
        }
        await s.end(Buffer.from(`${n}:${hash.digest()}`));
      });
      const s = await clientConn.openStream();
      const sent = sha256();
      const start = performance.now();
      for (let i = 0; i < (64 * MiB) / (64 * KiB); i++) {
        const chunk = randomBytes(64 * KiB);
        sent.update(chunk);
        await s.write(chunk);
      }
      await s.end();
      const reply = (await readAll(s)).toString();
      const secs = (performance.now() - start) / 1000;
      t.diagnostic(`64 MiB in ${secs.toFixed(2)} s (${(64 / secs).toFixed(1)} MiB/s)`);
      assert.equal(reply, `${64 * MiB}:${sent.digest()}`);
      await served;
    });

    it('a reader that does not read stalls the writer, which resumes when it reads', {
      timeout: 30_000,
    }, async (t) => {
      const hwm = 128 * KiB;
      const { clientConn, serverConn } = await connectPair(t, h, {
        server: { streamHighWaterMark: hwm },
        client: { streamHighWaterMark: hwm },
      });
      const s = await clientConn.openStream();
      const chunk = Buffer.alloc(64 * KiB, 0xab);
      await s.write(chunk);
      const r = await serverConn.acceptStream({ timeoutMs: 5_000 });

      // Write until a write stays pending: the reader's buffer and the flow-control window are full.
      let written = chunk.byteLength;
      let stalled: Promise<void> | undefined;
      while (written < 64 * MiB) {
        const w = s.write(chunk);
        written += chunk.byteLength;
        if (await stillPendingAfter(w, 200)) {
          stalled = w;
          break;
        }
        await w;
      }
      assert.ok(stalled, `writes never blocked after ${written} bytes`);
      t.diagnostic(`writer stalled after ${written} bytes`);
      assert.ok(
        s.writableLength >= hwm,
        `writableLength ${s.writableLength} should be at the high-water mark`,
      );
      assert.ok(await stillPendingAfter(stalled, 300), 'the write must stay pending while nobody reads');

      // Now read: the pending write completes and every byte arrives.
      const received = (async () => {
        let n = 0;
        for await (const c of r) n += c.byteLength;
        return n;
      })();
      await stalled;
      await s.end();
      assert.equal(await received, written);
    });
  });
}
