import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { TimeoutError } from '../../../src/core/index.js';
import { TransportUsageError } from '../../../src/transport/index.js';
import { hex } from '../../helpers/bytes.js';
import { within } from '../../helpers/wait.js';
import { certFixtures, type TransportHarness, tls } from '../harness.js';
import { connectPair, openEndpoint } from './context.js';

export function datagramTests(h: TransportHarness): void {
  describe('datagrams', () => {
    it('100 datagrams of varied sizes round-trip intact', { timeout: 15_000 }, async (t) => {
      const { clientConn, serverConn } = await connectPair(t, h);
      const max = clientConn.maxDatagramSize;
      assert.ok(max >= 1_000, `client maxDatagramSize ${max} is too small for a loopback path`);
      assert.ok(serverConn.maxDatagramSize >= 1_000, `server maxDatagramSize ${serverConn.maxDatagramSize}`);

      // The server echoes through its onDatagram handler, so that handler is exercised too.
      let serverGot = 0;
      serverConn.onDatagram((d) => {
        serverGot++;
        serverConn.sendDatagram(d);
      });
      const sent = new Map<number, string>();
      for (let i = 0; i < 100; i++) {
        const size = i === 0 ? max : 4 + ((i * 97) % (max - 4));
        const d = randomBytes(size);
        d.writeUInt32BE(i, 0);
        sent.set(i, hex(d));
        assert.equal(clientConn.sendDatagram(d), true, `datagram ${i} (${size} bytes) was refused`);
      }
      const back = new Map<number, string>();
      while (back.size < sent.size) {
        let d: Uint8Array;
        try {
          d = await clientConn.receiveDatagram({ timeoutMs: 2_000 });
        } catch (e) {
          if (e instanceof TimeoutError) break; // whatever is missing by now is lost
          throw e;
        }
        const i = Buffer.from(d).readUInt32BE(0);
        assert.equal(hex(d), sent.get(i), `datagram ${i} came back altered`);
        back.set(i, hex(d));
      }
      const lost = sent.size - back.size;
      t.diagnostic(`server got ${serverGot}/100, ${back.size}/100 came back (${lost} lost)`);
      assert.ok(lost <= 5, `${lost} of 100 datagrams lost on loopback`);
      const st = clientConn.stats();
      assert.ok(st.datagramsSent >= 100, `datagramsSent ${st.datagramsSent}`);
      assert.equal(st.datagramsReceived, back.size);
    });

    it('a datagram over maxDatagramSize throws TransportUsageError', { timeout: 10_000 }, async (t) => {
      const { clientConn } = await connectPair(t, h);
      const max = clientConn.maxDatagramSize;
      assert.throws(() => clientConn.sendDatagram(new Uint8Array(max + 1)), TransportUsageError);
      assert.equal(clientConn.sendDatagram(new Uint8Array(max)), true, 'exactly max is fine');
    });
  });

  describe('raw datagrams', () => {
    it('sendRaw reaches the peer onRaw handler with the sender address', { timeout: 10_000 }, async (t) => {
      const f = await certFixtures();
      const a = await openEndpoint(t, h, { tls: tls(f.client, f.ca) });
      const b = await openEndpoint(t, h, { tls: tls(f.server, f.ca) });
      const got = new Promise<{ data: Uint8Array; from: { host: string; port: number } }>((resolve) => {
        b.onRaw((data, from) => resolve({ data: Uint8Array.from(data), from }));
      });
      // A STUN binding request starts with 0x00 0x01: the fixed bit is clear, so it is not QUIC.
      const packet = Buffer.concat([
        Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]),
        randomBytes(12),
      ]);
      await a.sendRaw(b.address, packet);
      const { data, from } = await within(got, 5_000, 'onRaw');
      assert.equal(hex(data), hex(packet));
      assert.deepEqual(from, a.address);
    });
  });
}
