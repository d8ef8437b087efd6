// Units of SWIM + Lifeguard: the suspicion timeout, the rumour queue, the incarnation rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BroadcastQueue } from '../../src/membership/broadcast-queue.js';
import { Suspicion } from '../../src/membership/suspicion.js';
import type { Update } from '../../src/membership/types.js';
import { SimClock } from '../../src/sim/index.js';
import { id, ids, member } from '../sim/swim-fixtures.js';

describe('Suspicion timeout', () => {
  const make = (k: number, clock = new SimClock(), fired: number[] = []) =>
    new Suspicion('a', k, 1000, 8000, clock, () => fired.push(clock.now()));

  it('shrinks from max to min logarithmically in the confirmations', () => {
    const s = make(3);
    assert.equal(s.timeoutMs(), 8000);
    const expected = [4500, Math.floor(8000 - (Math.log(3) / Math.log(4)) * 7000), 1000];
    for (const [i, from] of ['b', 'c', 'd'].entries()) {
      assert.equal(s.confirm(from), true);
      assert.equal(s.timeoutMs(), expected[i]);
    }
    s.cancel();
  });

  it('counts each accuser once, the first one never, and no more than k', () => {
    const s = make(2);
    assert.equal(s.confirm('a'), false);
    assert.equal(s.confirm('b'), true);
    assert.equal(s.confirm('b'), false);
    assert.equal(s.confirm('c'), true);
    assert.equal(s.confirm('d'), false);
    assert.equal(s.confirmations, 2);
    s.cancel();
  });

  it('uses the minimum when no confirmation is expected (k = 0)', () => {
    const s = make(0);
    assert.equal(s.timeoutMs(), 1000);
    s.cancel();
  });

  it('fires at start + timeout, re-armed by confirmations and by extend()', async () => {
    const clock = new SimClock();
    const fired: number[] = [];
    const s = make(3, clock, fired);
    await clock.advance(3000);
    s.confirm('b'); // timeout 4500 from the start
    await clock.advance(1499);
    assert.deepEqual(fired, []);
    await clock.advance(1);
    assert.deepEqual(fired, [4500]);
    s.extend(480);
    await clock.advance(480);
    assert.deepEqual(fired, [4500, 4980]);
  });
});

describe('BroadcastQueue', () => {
  const size = () => 100;
  const alive = (who: string, inc = 1): Update => ({
    t: 'alive',
    id: who,
    inc,
    addr: { host: 'h', port: 1 },
    key: new Uint8Array(32),
  });
  const suspect = (who: string, inc = 1): Update => ({ t: 'suspect', id: who, inc, from: 'x' });

  it('keeps one rumour per member: a newer one replaces the queued one', () => {
    const q = new BroadcastQueue(100);
    q.push(alive('a'));
    q.push(suspect('a'));
    assert.equal(q.size, 1);
    assert.deepEqual(q.take(1000, 5, size), [suspect('a')]);
  });

  it('sends a rumour `limit` times, then drops it', () => {
    const q = new BroadcastQueue(100);
    q.push(alive('a'));
    for (let i = 0; i < 3; i++) assert.equal(q.take(1000, 3, size).length, 1);
    assert.equal(q.size, 0);
    assert.deepEqual(q.take(1000, 3, size), []);
  });

  it('fills the byte budget and no more', () => {
    const q = new BroadcastQueue(100);
    for (const x of ['a', 'b', 'c']) q.push(alive(x));
    assert.equal(q.take(250, 5, size).length, 2);
    assert.equal(q.take(50, 5, size).length, 0);
  });

  it('sends the least-sent first, the newest first among equals', () => {
    const q = new BroadcastQueue(100);
    q.push(alive('a'));
    q.push(alive('b'));
    assert.deepEqual(q.take(100, 5, size), [alive('b')]);
    assert.deepEqual(q.take(100, 5, size), [alive('a')]);
    q.push(alive('c'));
    assert.deepEqual(q.take(100, 5, size), [alive('c')]);
    // All sent once now: one take carries all three.
    assert.deepEqual(new Set(q.take(300, 5, size).map((u) => u.id)), new Set(['a', 'b', 'c']));
  });

  it('puts a buddy update first without counting it as queued', () => {
    const q = new BroadcastQueue(100);
    q.push(alive('a'));
    const buddy = suspect('z');
    assert.deepEqual(q.take(1000, 5, size, buddy), [buddy, alive('a')]);
    assert.equal(q.size, 1);
  });

  it('stays within its bound by dropping the most-sent rumours', () => {
    const q = new BroadcastQueue(3);
    for (const x of ['a', 'b', 'c']) q.push(alive(x));
    q.take(1000, 10, size);
    q.push(alive('d'));
    assert.equal(q.size, 3);
    const sent = q.take(1000, 10, size).map((u) => u.id);
    assert.equal(sent[0], 'd');
    assert.equal(sent.length, 3);
  });
});

describe('incarnation rules', () => {
  it('alive overrides suspect only at a higher incarnation; suspect overrides alive at the same one', () => {
    const m = member();
    const x = ids[1]!;
    m.gossip({ t: 'suspect', id: x, inc: 0, from: ids[2]! });
    assert.equal(m.state(x), 'suspect');
    m.gossip(m.alive(x, 0));
    assert.equal(m.state(x), 'suspect');
    m.gossip(m.alive(x, 1));
    assert.equal(m.state(x), 'alive');
    m.gossip({ t: 'suspect', id: x, inc: 0, from: ids[2]! });
    assert.equal(m.state(x), 'alive', 'a suspicion of an older incarnation is stale');
    m.gossip({ t: 'suspect', id: x, inc: 1, from: ids[2]! });
    assert.equal(m.state(x), 'suspect');
  });

  it('dead is final for its incarnation', () => {
    const m = member();
    const x = ids[1]!;
    m.gossip({ t: 'dead', id: x, inc: 0, from: ids[2]! });
    assert.equal(m.state(x), 'dead');
    m.gossip(m.alive(x, 0));
    m.gossip({ t: 'suspect', id: x, inc: 0, from: ids[2]! });
    assert.equal(m.state(x), 'dead');
    m.gossip(m.alive(x, 1));
    assert.equal(m.state(x), 'alive');
  });

  it('refutes a suspicion, a dead verdict or a newer incarnation of itself by going one higher', () => {
    const m = member();
    const self = m.swim.selfId;
    m.gossip({ t: 'suspect', id: self, inc: 0, from: ids[2]! });
    assert.equal(m.swim.incarnation, 1);
    m.gossip({ t: 'suspect', id: self, inc: 0, from: ids[2]! });
    assert.equal(m.swim.incarnation, 1, 'a stale suspicion needs no new refutation');
    m.gossip({ t: 'dead', id: self, inc: 4, from: ids[2]! });
    assert.equal(m.swim.incarnation, 5);
    m.gossip(m.alive(self, 9));
    assert.equal(m.swim.incarnation, 10);
    assert.equal(m.swim.member(self)?.state, 'alive');
  });

  it('push-pull: a remote dead member is only suspected here, an unknown suspect is learned alive', () => {
    const m = member();
    const [, x, y, z] = ids;
    m.swim.handleSync(
      {
        join: false,
        entries: [
          { id: x!, inc: 0, state: 'dead', addr: m.addr(x!), key: new Uint8Array(32) },
          { id: id(99), inc: 2, state: 'suspect', addr: m.addr(id(99)), key: new Uint8Array(32) },
          { id: y!, inc: 0, state: 'left', addr: m.addr(y!), key: new Uint8Array(32) },
          { id: z!, inc: 3, state: 'alive', addr: m.addr(z!), key: new Uint8Array(32) },
        ],
      },
      ids[5]!,
    );
    assert.equal(m.state(x!), 'suspect');
    assert.equal(m.state(id(99)), 'alive');
    assert.equal(m.state(y!), 'left');
    assert.equal(m.swim.member(z!)?.incarnation, 3);
  });
});

describe('Lifeguard suspicion at one member', () => {
  // 10 live members: minimum timeout log10(10) · 400 = 400 ms, maximum 8 × 400 = 3200 ms, k = 3.
  it('counts a suspicion relayed by push-pull as no confirmation, and checks with the member before the verdict', async () => {
    const m = member();
    const x = ids[1]!;
    m.gossip({ t: 'suspect', id: x, inc: 0, from: ids[2]! });
    for (const partner of ids.slice(3, 6)) {
      const entry = { id: x, inc: 0, state: 'suspect' as const, addr: m.addr(x), key: new Uint8Array(32) };
      m.swim.handleSync({ join: false, entries: [entry] }, partner);
    }
    await m.clock.advance(3199);
    assert.equal(m.state(x), 'suspect', 'three relays did not shorten the timeout to 400 ms');
    m.sent.length = 0;
    await m.clock.advance(1);
    const check = m.sent.find((s) => s.to === m.addr(x) && s.msg.t === 'ping');
    assert.ok(
      check?.msg.updates.some((u) => u.t === 'suspect' && u.id === x),
      'a ping carrying the suspicion',
    );
    assert.equal(m.state(x), 'suspect');
    m.gossip(m.alive(x, 1)); // its refutation, as its ack would carry it
    await m.clock.advance(2000);
    assert.equal(m.state(x), 'alive');
  });

  it('declares dead at the minimum once confirmed, and after the unanswered check otherwise', async () => {
    const m = member();
    const [, x, y] = ids;
    m.gossip({ t: 'suspect', id: x!, inc: 0, from: ids[3]! });
    for (const from of ids.slice(4, 7)) m.gossip({ t: 'suspect', id: x!, inc: 0, from });
    m.gossip({ t: 'suspect', id: y!, inc: 0, from: ids[3]! });
    await m.clock.advance(400);
    assert.equal(m.state(x!), 'dead');
    await m.clock.advance(2799);
    assert.equal(m.state(y!), 'suspect');
    await m.clock.advance(1 + 3 * 160); // the check: three pings, 160 ms apart
    assert.equal(m.state(y!), 'dead');
  });
});
