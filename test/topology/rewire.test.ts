import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '../../src/runtime/index.js';
import { at, members, randomIds } from './helpers.js';
import { setup } from './manager-helpers.js';

const me = at('50');
const [a, b, c, d, e] = ['30', '40', '60', '70', 'a0'].map(at) as [string, string, string, string, string];

/** A k = 2 manager (no long-range links) connected to its neighbours b and c. */
async function connected(opts: { maxConnections?: number } = {}) {
  const t = setup({ self: me, k: 2, longRange: 0, ...opts });
  t.links.policy = () => 'ok';
  t.manager.setMembers(members([a, b, c, d, e]));
  await t.clock.advance(0);
  assert.deepEqual(t.manager.desired(), [c, b]);
  assert.deepEqual(
    t.links.connected().map((x) => x.id),
    [c, b],
  );
  return t;
}

describe('ConnectionManager: rewiring', () => {
  it('dials a joining neighbour at once and closes the replaced outbound link after the grace', async () => {
    const { clock, links, manager } = await connected();
    const joiner = at('55');
    manager.setMembers(members([a, b, c, d, e, joiner]));
    assert.deepEqual(manager.desired(), [joiner, b]);
    await clock.advance(0);
    assert.ok(links.conns.has(joiner), 'new neighbour dialed');
    assert.equal(manager.snapshot().connections.find((x) => x.id === c)?.role, 'extra');
    await clock.advance(29_999);
    assert.ok(links.conns.has(c), 'kept during the grace period');
    await clock.advance(1);
    assert.deepEqual(links.disconnects, [{ id: c, reason: 'not desired', at: 30_000 }]);
    assert.ok(!links.conns.has(c));
    await clock.advance(120_000);
    assert.equal(links.dialsTo(c).length, 1, 'a member that is not desired is not redialed');
  });

  it('keeps a connection that becomes desired again within the grace', async () => {
    const { clock, links, manager } = await connected();
    const joiner = at('55');
    manager.setMembers(members([a, b, c, d, e, joiner]));
    await clock.advance(10_000);
    manager.setMembers(members([a, b, c, d, e])); // the joiner died
    await clock.advance(60_000);
    assert.deepEqual(
      links.disconnects.map((x) => x.id),
      [joiner],
    );
    assert.ok(links.conns.has(c));
  });

  it('never closes inbound connections it does not want while under the bound', async () => {
    const { clock, links, manager } = await connected();
    links.inbound(e);
    links.inbound(a);
    await clock.advance(600_000);
    assert.deepEqual(links.disconnects, []);
    const roles = Object.fromEntries(manager.snapshot().connections.map((x) => [x.id, x.role]));
    assert.deepEqual(roles, { [c]: 'ring', [b]: 'ring', [e]: 'extra', [a]: 'extra' });
  });

  it('redials a desired neighbour that disconnected, with backoff', async () => {
    const { clock, links } = await connected();
    links.drop(b);
    await clock.advance(399);
    assert.equal(links.dialsTo(b).length, 1);
    await clock.advance(201);
    assert.equal(links.dialsTo(b).length, 2);
    assert.ok(links.conns.has(b));
  });
});

describe('ConnectionManager: connections in use by messaging', () => {
  /** Marks `id`'s connection as carrying messages `idleMs` ago (as the node reports it). */
  const use = (links: { conns: Map<string, { idleMs?: number }> }, id: string, idleMs: number) => {
    links.conns.get(id)!.idleMs = idleMs;
  };

  it('an unwanted outbound connection that carries messages outlives the grace; once idle it goes', async () => {
    const { clock, links, manager } = await connected();
    manager.setMembers(members([a, b, c, d, e, at('55')])); // c becomes extra
    await clock.advance(0);
    use(links, c, 10);
    await clock.advance(30_000);
    assert.ok(links.conns.has(c), 'in use at the end of the grace: kept');
    await clock.advance(30_000);
    assert.ok(links.conns.has(c), 'still in use at the next look');
    use(links, c, 31_000); // nothing for longer than inUseMs
    await clock.advance(30_000);
    assert.deepEqual(
      links.disconnects.map((x) => [x.id, x.reason]),
      [[c, 'not desired']],
    );
  });

  it('over the bound, unused extras go before extras in use, and those least recently used first', async () => {
    const { clock, links, manager } = await connected({ maxConnections: 5 });
    links.inbound(a);
    links.inbound(d);
    links.inbound(e);
    use(links, a, 5); // in use, recently (and the oldest connection)
    use(links, d, 100); // in use, less recently
    await clock.advance(1_000);
    const [f0, f1] = [at('f0'), at('f1')];
    links.inbound(f0); // 6 > 5: the unused extras e and f0; e is the older
    assert.deepEqual(
      links.disconnects.map((x) => x.id),
      [e],
    );
    use(links, f0, 1);
    // Every extra is in use now: the least recently used one goes, not the oldest.
    links.conns.set(f1, { id: f1, direction: 'inbound', rttMs: 1, idleMs: 0 });
    manager.peerConnected(f1);
    assert.deepEqual(
      links.disconnects.map((x) => x.id),
      [e, d],
    );
    assert.deepEqual(
      links
        .connected()
        .map((x) => x.id)
        .sort(),
      [b, c, a, f0, f1].sort(),
    );
  });
});

describe('ConnectionManager: maxConnections', () => {
  it('closes unwanted connections first when over the bound: ours before inbound, oldest first', async () => {
    const { clock, links, manager } = await connected({ maxConnections: 4 });
    manager.setMembers(members([a, b, c, d, e, at('55')])); // c becomes an unwanted outbound link
    await clock.advance(1_000);
    links.inbound(a);
    await clock.advance(1_000);
    assert.equal(links.connected().length, 4);
    links.inbound(d); // 5 > 4: our unwanted outbound link goes first, grace or not
    assert.deepEqual(
      links.disconnects.map((x) => x.id),
      [c],
    );
    await clock.advance(1_000);
    links.inbound(e); // then the oldest unwanted inbound one
    assert.deepEqual(
      links.disconnects.map((x) => [x.id, x.reason]),
      [
        [c, 'over connection limit'],
        [a, 'over connection limit'],
      ],
    );
    assert.equal(links.connected().length, 4);
  });

  it('at the bound, gives the slot of an unwanted inbound connection to a desired peer', async () => {
    const { clock, links } = await connected({ maxConnections: 3 });
    links.inbound(a);
    links.drop(b); // our neighbour goes away for a moment: redialed after ~500 ms
    await clock.advance(100);
    links.inbound(e); // 3 connections again: a, e unwanted inbound, c desired
    assert.deepEqual(links.disconnects, []);
    await clock.advance(600);
    assert.deepEqual(links.disconnects, [
      { id: a, reason: 'making room for a desired peer', at: links.dialsTo(b)[1]! },
    ]);
    assert.deepEqual(new Set(links.connected().map((x) => x.id)), new Set([c, e, b]));
  });

  it('stays within the bound through random churn', async () => {
    const random = new SeededRandom(17);
    const ids = randomIds(random, 60);
    const self = ids[0]!;
    const max = 8;
    const { clock, links, manager } = setup({ self, k: 4, maxConnections: max, random });
    links.policy = () => (random.next() < 0.3 ? 'fail' : 'ok');
    let alive = ids.slice(0, 30);
    manager.setMembers(members(alive));
    for (let step = 0; step < 400; step++) {
      const r = random.next();
      const id = ids[1 + random.int(ids.length - 1)]!;
      if (r < 0.3) links.inbound(id);
      else if (r < 0.5) links.drop(id);
      else if (r < 0.6) {
        alive = ids.filter(() => random.next() < 0.5);
        manager.setMembers(members(alive));
      }
      await clock.advance(random.int(3_000));
      assert.ok(links.connected().length <= max, `step ${step}: ${links.connected().length} connections`);
      assert.deepEqual(links.overlapping, []);
    }
    // Once churn stops, every desired member ends up connected.
    links.policy = () => 'ok';
    await clock.advance(120_000);
    const connectedIds = new Set(links.connected().map((x) => x.id));
    for (const id of manager.desired())
      assert.ok(connectedIds.has(id), `desired ${id.slice(0, 8)} connected`);
  });
});

describe('ConnectionManager: lifecycle', () => {
  it('stop() cancels timers and pending dials, and later notifications do nothing', async () => {
    const { clock, links, manager } = setup({ self: me, k: 2, longRange: 0 });
    links.policy = (id) => (id === b ? 'fail' : 'hold');
    manager.setMembers(members([a, b, c]));
    await clock.advance(0);
    const signal = links.pending.get(c)!.signal!;
    manager.stop();
    assert.ok(signal.aborted);
    const dials = links.dialLog.length;
    manager.setMembers(members([a, b, c, d]));
    manager.peerConnected(d);
    manager.peerDisconnected(c);
    await clock.runUntilIdle();
    assert.equal(links.dialLog.length, dials);
    assert.equal(clock.now(), 0, 'no timer left that would move time on');
    manager.stop();
  });

  it('never throws from notifications: errors are logged', async () => {
    const { links, manager, warnings } = setup({ self: me, k: 2 });
    links.connected = () => {
      throw new Error('boom');
    };
    manager.setMembers(members([a, b]));
    manager.peerConnected(a);
    manager.peerDisconnected(a);
    assert.equal(warnings.length, 3);
    manager.setMembers([{ id: 'not-an-id', address: { host: 'h', port: 1 } }]);
    assert.ok(warnings.some((w) => w.msg?.includes('invalid id')));
  });

  it('does not spin when closing over the bound keeps failing', async () => {
    const { clock, links, manager, warnings } = await connected({ maxConnections: 2 });
    let attempts = 0;
    links.disconnect = async () => {
      attempts++;
      throw new Error('cannot close');
    };
    links.inbound(a);
    await clock.advance(10_000);
    assert.ok(attempts >= 10 && attempts <= 25, `${attempts} disconnect attempts in 10 s`);
    assert.equal(warnings.filter((w) => w.msg === 'topology: disconnect failed').length, attempts);
    manager.stop();
  });

  it('survives a PeerLinks whose connect and disconnect throw synchronously', async () => {
    const { clock, links, manager, warnings } = await connected();
    links.connect = () => {
      throw new Error('sync connect');
    };
    links.disconnect = () => {
      throw new Error('sync disconnect');
    };
    links.inbound(a);
    links.inbound(d);
    links.inbound(e);
    manager.setMembers(members([a, b, c, d, e, at('55')]));
    await clock.advance(31_000);
    assert.ok(warnings.some((w) => w.msg === 'topology: disconnect failed'));
    assert.deepEqual(manager.snapshot().backoffs[0]?.id, at('55'));
  });
});
