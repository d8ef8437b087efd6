// The simulation harness itself: clock ordering, the network model, byte accounting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodePacket, messageOverhead, updateSize } from '../../src/membership/codec.js';
import { SeededRandom } from '../../src/runtime/index.js';
import { exactSizer, SimClock, SimNetwork, SwimCluster } from '../../src/sim/index.js';
import { getPeers, REALM, sampleMessages } from '../membership/codec-fixtures.js';

describe('SimClock', () => {
  it('runs calls in time order, same-instant ones in the order they were set, and skips cancelled ones', async () => {
    const c = new SimClock();
    const log: string[] = [];
    c.setTimeout(() => log.push('b'), 20);
    c.call(10, (x: string) => log.push(x), 'a1');
    c.setTimeout(() => log.push('a2'), 10);
    const gone = c.setTimeout(() => log.push('never'), 15);
    c.clearTimeout(gone);
    await c.advance(19);
    assert.deepEqual(log, ['a1', 'a2']);
    assert.equal(c.now(), 19);
    await c.advance(1);
    assert.deepEqual(log, ['a1', 'a2', 'b']);
  });

  it('lets a promise settled by callAsync or sleep continue before the next timer', async () => {
    const c = new SimClock();
    const log: string[] = [];
    void c.sleep(5).then(() => log.push(`woke ${c.now()}`));
    c.setTimeout(() => log.push('next'), 5);
    await c.advance(10);
    assert.deepEqual(log, ['woke 5', 'next']);
  });
});

describe('SimNetwork', () => {
  const setup = (loss = 0) => {
    const clock = new SimClock();
    const net = new SimNetwork<string, string, string>(clock, new SeededRandom(3), { loss });
    const got: string[] = [];
    const a = { host: 'a', port: 1 };
    const b = { host: 'b', port: 1 };
    for (const [addr, name] of [
      [a, 'A'],
      [b, 'B'],
    ] as const) {
      net.bind(
        addr,
        { onDatagram: (m, from) => got.push(`${name}<${from}:${m}`), onRequest: (r) => `${name}:${r}` },
        name,
      );
    }
    return { clock, net, got, a, b };
  };

  it('delivers after the latency, drops by the loss rate and across partitions', async () => {
    const { clock, net, got, a, b } = setup();
    net.send(a, b, 'hi', 10);
    assert.deepEqual(got, []);
    await clock.advance(2);
    assert.deepEqual(got, ['B<A:hi']);
    net.partition([[a], [b]]);
    net.send(a, b, 'cut', 10);
    net.heal();
    await clock.advance(2);
    assert.equal(got.length, 1);
    assert.deepEqual(net.stats, { datagrams: 2, dropped: 1, bytes: 20, requests: 0, requestBytes: 0 });
    const lossy = setup(0.25);
    for (let i = 0; i < 4000; i++) lossy.net.send(lossy.a, lossy.b, 'x', 1);
    await lossy.clock.advance(2);
    assert.ok(Math.abs(lossy.got.length / 4000 - 0.75) < 0.03, `${lossy.got.length} delivered`);
  });

  it('answers requests, and fails them on a crash or after the timeout', async () => {
    const { clock, net, a, b } = setup();
    const ok = net.request(a, b, 'q', {}, (m) => m.length);
    await clock.advance(5);
    assert.equal(await ok, 'B:q');
    assert.equal(net.stats.requestBytes, 4);
    net.setSlow(b, 1000);
    const late = net.request(a, b, 'q', { timeoutMs: 100 });
    await clock.advance(100);
    await assert.rejects(late, { code: 'TIMEOUT' });
    net.unbind(b);
    const gone = net.request(a, b, 'q');
    await clock.advance(5);
    await assert.rejects(gone, { code: 'UNREACHABLE' });
  });
});

describe('SwimCluster byte accounting', () => {
  it("counts the codec's sizes: messageOverhead + Σ updateSize, at most 2 bytes over the encoded packet", async () => {
    const [p, q] = await getPeers();
    const size = exactSizer(REALM);
    for (const msg of sampleMessages(p!, q!)) {
      const expected = messageOverhead(REALM, msg) + msg.updates.reduce((n, u) => n + updateSize(u), 0);
      assert.equal(size(msg), expected);
      assert.equal(size(msg), expected, 'the memoised size stays exact');
      const real = encodePacket(p!.env, msg, p!.sign).length;
      assert.ok(expected - real >= 0 && expected - real <= 2, `${msg.t}: ${expected} vs ${real}`);
    }
  });

  it('charges every datagram of a run to the network stats', async () => {
    const c = new SwimCluster({ seed: 1 });
    c.add(5);
    c.startConverged();
    await c.runFor(2000);
    assert.ok(c.net.stats.datagrams > 0);
    // A ping or ack without rumours: envelope + 64-byte signature, over 100 bytes.
    assert.ok(c.net.stats.bytes / c.net.stats.datagrams > 100);
  });
});
