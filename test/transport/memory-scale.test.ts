import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint, Stream } from '../../src/transport/types.js';
import { pki, runUntil, tls, virtualNet } from './memory-fixtures.js';

const NODES = 2_000;
const DIALS = 4;

async function readText(s: Stream): Promise<string> {
  let out = '';
  for await (const c of s) out += Buffer.from(c).toString();
  return out;
}

describe('memory transport at scale', () => {
  it(`${NODES} endpoints each dialing ${DIALS} others exchange a message on every connection`, async () => {
    const { net, clock } = virtualNet({ latencyMs: 20 });
    const p = await pki();
    const wall0 = performance.now();
    const heap0 = process.memoryUsage().heapUsed;
    const eps: Endpoint[] = [];
    let served = 0;
    for (let i = 0; i < NODES; i++) {
      const ep = await net.createEndpoint({ host: `n${i}`, tls: tls(p.alice, p.ca) });
      ep.onConnection((conn) => {
        conn.onStream((s) => {
          void readText(s).then(async (text) => {
            await s.end(Buffer.from(`re: ${text}`));
            served++;
          });
        });
      });
      eps.push(ep);
    }
    const work = eps.flatMap((ep, i) =>
      Array.from({ length: DIALS }, async (_, k) => {
        // Spread the peers over the ring so connections do not pair up.
        const peer = eps[(i + 1 + k * 397) % NODES]!;
        const conn = await ep.dial(peer.address);
        const s = await conn.openStream();
        await s.end(Buffer.from(`hi from n${i}`));
        assert.equal(await readText(s), `re: hi from n${i}`);
      }),
    );
    await runUntil(clock, Promise.all(work), 60_000, 5);
    const wallMs = performance.now() - wall0;
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    const conns = eps.reduce((n, ep) => n + ep.connections().length, 0);
    const stats = net.stats();
    console.log(
      `scale: ${NODES} endpoints, ${conns} connection ends, ${served} exchanges, ` +
        `${stats.packetsSent} packets in ${clock.now()} ms virtual / ${wallMs.toFixed(0)} ms wall, ` +
        `heap +${heapMb.toFixed(0)} MiB (rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB)`,
    );
    assert.equal(served, NODES * DIALS);
    assert.equal(conns, 2 * NODES * DIALS);
    assert.ok(wallMs < 15_000, `took ${wallMs} ms of wall time`);
    await Promise.all(eps.map((ep) => ep.close()));
    assert.equal(
      eps.reduce((n, ep) => n + ep.connections().length, 0),
      0,
    );
  });
});
