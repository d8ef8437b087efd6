import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimeoutError } from '../../src/core/index.js';
import { SeededRandom, type VirtualClock } from '../../src/runtime/index.js';
import type { MemoryNetwork } from '../../src/transport/memory/index.js';
import type { Connection, Endpoint, EndpointOptions, Stream } from '../../src/transport/types.js';
import { pair, pki, runUntil, tls, virtualNet } from './memory-fixtures.js';

async function connect(
  net: MemoryNetwork,
  clock: VirtualClock,
  extra: Partial<EndpointOptions> = {},
): Promise<{ a: Endpoint; b: Endpoint; ca: Connection; cb: Connection }> {
  const { a, b } = await pair(net, extra);
  const accepted = b.accept();
  const ca = await runUntil(clock, a.dial(b.address));
  const cb = await runUntil(clock, accepted);
  return { a, b, ca, cb };
}

async function readAllBytes(s: Stream): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of s) parts.push(c);
  return Buffer.concat(parts);
}

function pattern(n: number, seed: number): Uint8Array {
  return new SeededRandom(seed).bytes(n);
}

describe('memory transport: link conditions on a virtual clock', () => {
  it('a round trip takes twice the latency', async () => {
    const { net, clock } = virtualNet({ latencyMs: 25 });
    const { ca, cb } = await connect(net, clock);
    assert.equal(ca.stats().rttMs, 50);
    assert.equal(cb.stats().rttMs, 50);
    cb.onStream((s) => {
      void (async () => {
        for await (const c of s) await s.write(c);
        await s.end();
      })();
    });
    const s = await runUntil(clock, ca.openStream());
    const t0 = clock.now();
    await s.write(new Uint8Array([1]));
    const echoed = await runUntil(clock, s.read());
    assert.deepEqual(echoed, new Uint8Array([1]));
    assert.equal(clock.now() - t0, 50);
  });

  it('jitter spreads one-way delays within [latency, latency + jitter]', async () => {
    const { net, clock } = virtualNet({ latencyMs: 10, jitterMs: 8 }, 7);
    const { ca, cb } = await connect(net, clock);
    const delays: number[] = [];
    const t0 = clock.now();
    cb.onDatagram(() => delays.push(clock.now() - t0));
    for (let i = 0; i < 200; i++) ca.sendDatagram(new Uint8Array([i]));
    await clock.advance(20);
    assert.equal(delays.length, 200);
    assert.ok(Math.min(...delays) >= 10);
    assert.ok(Math.max(...delays) <= 18);
    assert.ok(Math.max(...delays) - Math.min(...delays) > 5, 'delays are spread, not constant');
  });

  it('loss drops datagrams at about the configured rate, streams still arrive intact and in order', async () => {
    const { net, clock } = virtualNet({ latencyMs: 5, jitterMs: 3, loss: 0.2 }, 3);
    const { ca, cb } = await connect(net, clock);
    let got = 0;
    cb.onDatagram(() => got++);
    for (let i = 0; i < 2000; i++) ca.sendDatagram(new Uint8Array(10));
    await clock.advance(50);
    assert.ok(got > 1500 && got < 1700, `received ${got} of 2000 at 20% loss`);

    const data = pattern(300_000, 11);
    const received = new Promise<Buffer>((resolve, reject) => {
      cb.onStream((s) => readAllBytes(s).then(resolve, reject));
    });
    const s = await runUntil(clock, ca.openStream());
    // Uneven chunks, so batching and offsets are exercised.
    for (let at = 0, n = 1; at < data.length; at += n, n = (n * 7 + 13) % 5000) {
      await runUntil(clock, s.write(data.subarray(at, at + n)));
    }
    await runUntil(clock, s.end());
    assert.ok((await runUntil(clock, received)).equals(data));
    assert.ok(ca.stats().packetsLost > 0);
    assert.ok(net.stats().packetsDropped > 0);
  });

  it('bandwidth limits throughput: 1 MB at 100 KB/s takes about 10 s', async () => {
    const { net, clock } = virtualNet({ latencyMs: 5, bandwidthBytesPerSec: 100_000 });
    const { ca, cb } = await connect(net, clock);
    const received = new Promise<Buffer>((resolve, reject) => {
      cb.onStream((s) => readAllBytes(s).then(resolve, reject));
    });
    const data = pattern(1_000_000, 5);
    const t0 = clock.now();
    const s = await runUntil(clock, ca.openStream());
    const writing = s.end(data);
    const got = await runUntil(clock, received, 60_000, 10);
    await runUntil(clock, writing);
    const elapsed = clock.now() - t0;
    assert.ok(got.equals(data));
    assert.ok(elapsed >= 10_000 && elapsed < 10_500, `took ${elapsed} ms of virtual time`);
  });

  it('a partition blocks traffic and heal restores it without losing stream data', async () => {
    const { net, clock } = virtualNet({ latencyMs: 10 });
    const { a, b, ca, cb } = await connect(net, clock, { idleTimeoutMs: 20_000 });
    const dgrams: number[] = [];
    cb.onDatagram((d) => dgrams.push(d[0]!));
    const incoming = new Promise<Stream>((resolve) => cb.onStream(resolve));
    const s = await runUntil(clock, ca.openStream());
    const peer = await runUntil(clock, incoming);

    net.partition(['a'], ['b', 'z']);
    ca.sendDatagram(new Uint8Array([1]));
    await s.write(new TextEncoder().encode('through the partition'));
    let read: Uint8Array | null | undefined;
    void peer.read().then((c) => {
      read = c;
    });
    // A new connection from the cut-off side cannot get through either.
    const p = await pki();
    const c = await net.createEndpoint({ host: 'a', tls: tls(p.alice, p.ca) });
    const dialing = c.dial(b.address, { timeoutMs: 3_000 }).catch((e: unknown) => e);
    await clock.advance(5_000);
    assert.deepEqual(dgrams, []);
    assert.equal(read, undefined);
    assert.ok((await dialing) instanceof TimeoutError);

    net.heal();
    await clock.advance(1_100); // retransmission backoff is capped at 1 s
    assert.equal(new TextDecoder().decode(read!), 'through the partition');
    ca.sendDatagram(new Uint8Array([2]));
    await clock.advance(10);
    assert.deepEqual(dgrams, [2]);
    assert.equal(a.connections().length, 1);
    assert.equal(b.connections().length, 1);
  });

  it('keep-alives hold a quiet connection; a crash is noticed only by idle timeout', async () => {
    const { net, clock } = virtualNet({ latencyMs: 5 });
    const { a, b, ca, cb } = await connect(net, clock, { idleTimeoutMs: 3_000 });
    await clock.advance(10_000);
    assert.equal(a.connections().length, 1);
    assert.equal(b.connections().length, 1);
    const t0 = clock.now();
    net.crash(b);
    const crashed = await cb.closed;
    assert.equal(crashed.kind, 'error');
    await clock.advance(1_000);
    assert.equal(a.connections().length, 1, 'no goodbye: the peer does not know yet');
    const info = await runUntil(clock, ca.closed, 10_000);
    const elapsed = clock.now() - t0;
    assert.equal(info.kind, 'idle');
    assert.ok(elapsed <= 3_000 && elapsed >= 1_990, `noticed after ${elapsed} ms`);
    // The crashed process's port is free again, like after a restart.
    const p = await pki();
    const again = await net.createEndpoint({ host: 'b', port: b.address.port, tls: tls(p.bob, p.ca) });
    assert.equal(again.address.port, b.address.port);
  });

  it('with keep-alives off, a quiet connection idles out but a one-way sender does not', async () => {
    const { net, clock } = virtualNet({ latencyMs: 5 });
    const { ca, cb } = await connect(net, clock, { idleTimeoutMs: 1_000, keepAliveMs: 0 });
    // Only ca talks; cb never sends anything of its own, yet ca must not think cb is gone.
    for (let i = 0; i < 50; i++) {
      ca.sendDatagram(new Uint8Array([i]));
      await clock.advance(100);
    }
    assert.equal(ca.maxDatagramSize > 0 && cb.maxDatagramSize > 0, true);
    const t0 = clock.now();
    const [ia, ib] = await runUntil(clock, Promise.all([ca.closed, cb.closed]), 5_000);
    assert.equal(ia.kind, 'idle');
    assert.equal(ib.kind, 'idle');
    // The last probe (sent a third of the timeout after the last datagram) is answered, which restarts the timeout.
    const quiet = clock.now() - t0;
    assert.ok(quiet >= 900 && quiet <= 1_000 + 1_000 / 3 + 20, `idled after ${quiet} ms`);
  });

  it('a slow reader backpressures the writer', async () => {
    const hwm = 64 * 1024;
    const { net, clock } = virtualNet({ latencyMs: 2 });
    const { ca, cb } = await connect(net, clock, { streamHighWaterMark: hwm });
    const incoming = new Promise<Stream>((resolve) => cb.onStream(resolve));
    const s = await runUntil(clock, ca.openStream());
    const peer = await runUntil(clock, incoming);
    const data = pattern(1_000_000, 9);
    const chunk = 10_000;
    let written = 0;
    const writer = (async () => {
      for (let at = 0; at < data.length; at += chunk) {
        await s.write(data.subarray(at, at + chunk));
        written += chunk;
      }
      await s.end();
    })();
    await clock.advance(1_000);
    const stalledAt = written;
    assert.ok(stalledAt < 3 * hwm, `writer got ${stalledAt} bytes ahead of a reader that never read`);
    assert.ok(s.writableLength > 0);
    await clock.advance(5_000);
    assert.equal(written, stalledAt, 'the write promise stays pending while nobody reads');
    const got = await runUntil(clock, readAllBytes(peer));
    await runUntil(clock, writer);
    assert.ok(got.equals(data));
  });

  it('is deterministic: the same seed replays the same events', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const { net, clock } = virtualNet({ latencyMs: 8, jitterMs: 6, loss: 0.1 }, seed);
      const p = await pki();
      const log: string[] = [];
      const note = (what: string) => log.push(`${clock.now().toFixed(3)} ${what}`);
      const eps: Endpoint[] = [];
      for (let i = 0; i < 6; i++) {
        const ep = await net.createEndpoint({ host: `n${i}`, tls: tls(p.alice, p.ca) });
        ep.onConnection((conn) => {
          const from = conn.remoteAddress.host;
          note(`n${i} accepted ${from}`);
          conn.onDatagram((d) => note(`n${i} datagram ${d[0]} from ${from}`));
          conn.onStream((st) => {
            void readAllBytes(st).then((buf) => note(`n${i} stream ${buf.toString()} from ${from}`));
          });
        });
        eps.push(ep);
      }
      const work = eps.flatMap((ep, i) =>
        [1, 2].map(async (k) => {
          const conn = await ep.dial(eps[(i + k) % eps.length]!.address);
          note(`n${i} connected to ${conn.remoteAddress.host}`);
          for (let d = 0; d < 3; d++) conn.sendDatagram(new Uint8Array([d]));
          const st = await conn.openStream();
          await st.end(new TextEncoder().encode(`hello-${i}-${k}`.repeat(200)));
        }),
      );
      await runUntil(clock, Promise.all(work));
      await clock.advance(2_000);
      note(JSON.stringify(net.stats()));
      return log;
    };
    const first = await run(42);
    assert.deepEqual(await run(42), first);
    assert.notDeepEqual(await run(43), first);
    assert.ok(first.length > 40);
  });
});
