import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/index.js';
import { SeededRandom } from '../../src/runtime/index.js';
import { chooseLinks, Ring } from '../../src/topology/index.js';
import { addr, at, members, randomIds } from './helpers.js';
import { setup } from './manager-helpers.js';

const ids = randomIds(new SeededRandom(9), 40);
const self = ids[0]!;

describe('ConnectionManager: dialing', () => {
  it('dials exactly the desired set (ring neighbours, then long-range), once each', async () => {
    const { clock, links, manager } = setup({ self, k: 4 });
    manager.setMembers(members(ids)); // self included: ignored
    const expected = chooseLinks(new Ring(ids), self, 4);
    assert.deepEqual(manager.desired(), [...expected.ring, ...expected.longRange]);
    assert.equal(expected.ring.length, 4);
    assert.ok(expected.longRange.length >= 2);
    assert.deepEqual(
      links.dialLog.map((d) => d.id),
      manager.desired(),
    );
    assert.deepEqual(links.dialLog[0]!.address, addr(expected.ring[0]!));
    assert.equal(links.dialLog[0]!.opts.timeoutMs, 15_000);
    assert.ok(links.dialLog[0]!.opts.signal instanceof AbortSignal);
    assert.deepEqual(manager.snapshot().pendingDials.sort(), manager.desired().sort());
    for (const id of manager.desired()) links.succeed(id);
    await clock.advance(0);
    const snap = manager.snapshot();
    assert.deepEqual(snap.pendingDials, []);
    assert.deepEqual(snap.backoffs, []);
    assert.deepEqual(
      snap.connections.filter((c) => c.role === 'ring').map((c) => c.id),
      expected.ring,
    );
    assert.deepEqual(
      snap.connections.filter((c) => c.role === 'long-range').map((c) => c.id),
      expected.longRange,
    );
    manager.setMembers(members(ids));
    await clock.advance(60_000);
    assert.equal(links.dialLog.length, manager.desired().length, 'no redials of connected members');
    assert.deepEqual(links.disconnects, []);
  });

  it('never has two dials in flight to one member', async () => {
    const { clock, links, manager } = setup({ self, k: 4, longRange: 0 });
    manager.setMembers(members(ids));
    const [x] = manager.desired() as [string];
    for (let i = 0; i < 5; i++) {
      manager.setMembers(members(ids));
      manager.peerDisconnected(x); // spurious: nothing was connected
      await clock.advance(5_000);
    }
    assert.equal(links.dialsTo(x).length, 1);
    links.fail(x);
    await clock.runUntilIdle(120_000);
    assert.deepEqual(links.overlapping, []);
    assert.equal(links.dialsTo(x).length, 2, 'one retry, still pending');
  });

  it('treats a rejected dial as success when the node is connected anyway (simultaneous dial)', async () => {
    const { clock, links, manager } = setup({ self, k: 2, longRange: 0 });
    manager.setMembers(members(ids));
    const [x] = manager.desired() as [string];
    links.inbound(x);
    links.fail(x);
    await clock.advance(60_000);
    assert.equal(links.dialsTo(x).length, 1);
    assert.deepEqual(manager.snapshot().backoffs, []);
  });

  it('respects maxConnections when dialing: ring neighbours first', async () => {
    const { links, manager } = setup({ self, k: 4, maxConnections: 2 });
    manager.setMembers(members(ids));
    assert.deepEqual(
      links.dialLog.map((d) => d.id),
      manager.desired().slice(0, 2),
    );
  });

  it('validates its options', () => {
    assert.throws(() => setup({ self: 'nope', k: 2 }), InvalidArgumentError);
    assert.throws(() => setup({ self, k: -1 }), InvalidArgumentError);
    assert.throws(() => setup({ self, k: 2, maxConnections: 0 }), InvalidArgumentError);
    assert.throws(
      () => setup({ self, k: 2, backoff: { initialMs: 10, maxMs: 5, multiplier: 2, jitter: 0 } }),
      InvalidArgumentError,
    );
  });
});

describe('ConnectionManager: backoff', () => {
  const x = at('60');
  const me = at('50');

  it('redials a failing member with exponential backoff and ±20 % jitter, capped at 30 s', async () => {
    const { clock, links, manager } = setup({ self: me, k: 2 });
    links.policy = () => 'fail';
    manager.setMembers(members([me, x]));
    await clock.advance(300_000);
    const times = links.dialsTo(x);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    console.log(`backoff gaps (ms): ${gaps.join(', ')}`);
    assert.ok(gaps.length >= 12);
    gaps.forEach((gap, i) => {
      const base = Math.min(30_000, 500 * 2 ** i);
      assert.ok(
        gap >= Math.floor(base * 0.8) && gap <= Math.ceil(base * 1.2),
        `gap ${i} = ${gap}, base ${base}`,
      );
    });
    assert.ok(new Set(gaps.slice(-4)).size > 1, 'jittered, not all equal');
    const [b] = manager.snapshot().backoffs;
    assert.equal(b?.id, x);
    assert.equal(b?.attempt, times.length);
    assert.ok(b!.nextAttemptInMs > 0 && b!.nextAttemptInMs <= 36_000);
  });

  it('resets the backoff after a success', async () => {
    const { clock, links, manager } = setup({ self: me, k: 2 });
    links.policy = () => 'fail';
    manager.setMembers(members([me, x]));
    await clock.advance(4_000); // fails at ~0, ~0.5 s, ~1.5 s, ~3.5 s
    assert.equal(links.dialsTo(x).length, 4);
    links.policy = () => 'hold';
    await clock.advance(10_000);
    links.succeed(x);
    await clock.advance(1_000);
    assert.deepEqual(manager.snapshot().backoffs, []);
    const before = links.dialsTo(x).length;
    const droppedAt = clock.now();
    links.drop(x); // a disconnect of a desired member is redialed like a failure, from attempt 0
    assert.equal(manager.snapshot().backoffs[0]?.attempt, 1);
    await clock.advance(700);
    const redials = links.dialsTo(x).slice(before);
    assert.equal(redials.length, 1);
    assert.ok(redials[0]! - droppedAt >= 400 && redials[0]! - droppedAt <= 600);
  });

  it('cancels retries and aborts the dial when a member dies', async () => {
    const y = at('40');
    const { clock, links, manager } = setup({ self: me, k: 2 });
    links.policy = (id) => (id === x ? 'fail' : 'hold');
    manager.setMembers(members([me, x, y]));
    await clock.advance(100);
    assert.deepEqual(
      manager.snapshot().backoffs.map((b) => b.id),
      [x],
    );
    const ySignal = links.pending.get(y)!.signal!;
    manager.setMembers(members([me]));
    assert.ok(ySignal.aborted);
    assert.deepEqual(manager.desired(), []);
    assert.deepEqual(manager.snapshot().backoffs, []);
    assert.deepEqual(manager.snapshot().pendingDials, []);
    const dials = links.dialLog.length;
    await clock.advance(600_000);
    assert.equal(links.dialLog.length, dials);
    // Back from the dead: dialed at once, from a fresh backoff.
    manager.setMembers(members([me, x]));
    assert.equal(links.dialLog.length, dials + 1);
    await clock.advance(0);
    assert.equal(manager.snapshot().backoffs[0]?.attempt, 1);
  });
});
