import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createEnvelope,
  nextHop,
  type RouteEnvelope,
  RouteGuard,
  randomIdInBucket,
  rankNextHops,
} from '../../src/routing/index.js';
import { SeededRandom } from '../../src/runtime/index.js';
import { byDistance, randomId } from './fixtures.js';

const rnd = new SeededRandom(5);

describe('nextHop', () => {
  it('picks the connected neighbour closest to the destination, when closer than us', () => {
    const self = randomId(rnd);
    for (let i = 0; i < 200; i++) {
      const dest = randomId(rnd);
      const peers = Array.from({ length: 1 + rnd.int(30) }, () => randomId(rnd));
      const [best] = byDistance([...peers, self], dest);
      assert.equal(nextHop(self, dest, peers), best === self ? undefined : best);
      const ranked = rankNextHops(self, dest, peers);
      const closer = byDistance([...peers, self], dest);
      assert.deepEqual(ranked, closer.slice(0, closer.indexOf(self)));
    }
  });

  it('goes straight to a connected destination and never returns self', () => {
    const self = randomId(rnd);
    const dest = randomId(rnd);
    assert.equal(nextHop(self, dest, [randomId(rnd), dest, self]), dest);
    assert.equal(nextHop(self, self, [randomId(rnd)]), undefined);
    assert.equal(nextHop(self, dest, []), undefined);
  });

  it('falls back to the next-best neighbour when the best was visited, and detours only when asked', () => {
    // Neighbours in buckets 0..3 of dest's view: deeper = closer to dest.
    const dest = randomId(rnd);
    const [n3, n2, n1] = [3, 2, 1].map((i) => randomIdInBucket(dest, i, rnd));
    const far = randomIdInBucket(dest, 0, rnd);
    const me = randomIdInBucket(dest, 1, rnd); // about as far as n1
    const peers = [far, n1!, n2!, n3!];
    assert.equal(nextHop(me, dest, peers), n3);
    assert.equal(nextHop(me, dest, peers, new Set([n3!])), n2);
    assert.equal(nextHop(me, dest, peers, [n3!, n2!]), nextHop(me, dest, [n1!, far]));
    assert.equal(nextHop(me, dest, [far]), undefined); // farther than us: no greedy progress
    assert.equal(nextHop(me, dest, [far], [], { detour: true }), far);
    assert.deepEqual(rankNextHops(me, dest, peers, [n3!], 1), [n2]);
  });

  it('rejects malformed ids with a typed error and skips malformed neighbours', () => {
    const self = randomId(rnd);
    assert.throws(() => nextHop(self, 'zz', []), { name: 'RoutingError', code: 'INVALID_ID' });
    assert.throws(() => nextHop('zz', self, []), { code: 'INVALID_ID' });
    assert.equal(nextHop(self, randomId(rnd), ['junk', 'ABC']), undefined);
    assert.throws(() => createEnvelope({ id: 'm', src: self, dest: 'x' }), { code: 'INVALID_ID' });
  });
});

/** A line of nodes, each connected to its two neighbours, ordered so greedy routing walks it. */
function chain(n: number): string[] {
  const dest = randomId(rnd);
  return [...Array.from({ length: n - 1 }, (_, i) => randomIdInBucket(dest, i, rnd)), dest];
}

describe('RouteGuard', () => {
  it('forwards hop by hop to the destination, counting hops and recording the path', () => {
    const nodes = chain(6);
    const dest = nodes.at(-1)!;
    const guards = new Map(nodes.map((id) => [id, new RouteGuard({ selfId: id })]));
    const links = (i: number) => [nodes[i - 1], nodes[i + 1]].filter((x): x is string => x !== undefined);
    let env: RouteEnvelope = createEnvelope({ id: 'm1', src: nodes[0]!, dest, recordPath: true });
    let at = 0;
    for (;;) {
      const d = guards.get(nodes[at]!)!.route(env, links(at));
      if (d.action === 'deliver') break;
      env = d.envelope;
      at = nodes.indexOf(d.to);
    }
    assert.equal(nodes[at], dest);
    assert.equal(env.hops, 5);
    assert.deepEqual(env.path, nodes.slice(0, 5));
    assert.equal(guards.get(dest)!.stats.delivered, 1);
    assert.equal(guards.get(nodes[2]!)!.stats.forwarded, 1);
  });

  it('rejects a message id seen before, or a path through us, as a loop', () => {
    const [a, b] = [randomId(rnd), randomId(rnd)];
    const g = new RouteGuard({ selfId: a });
    const env = createEnvelope({ id: 'x', src: b, dest: a });
    g.route(env, []);
    assert.throws(() => g.route(env, []), { name: 'RoutingError', code: 'LOOP' });
    const looped = { ...createEnvelope({ id: 'y', src: b, dest: b }), hops: 2, path: [b, a] };
    assert.throws(() => g.admit(looped), { code: 'LOOP' });
    assert.equal(g.stats.rejected.LOOP, 2);
  });

  it('rejects a message that used its hop limit, and one that has no closer neighbour', () => {
    const [a, dest] = [randomId(rnd), randomId(rnd)];
    const g = new RouteGuard({ selfId: a });
    const spent = { ...createEnvelope({ id: 'h', src: a, dest, hopLimit: 3 }), hops: 3 };
    assert.throws(() => g.route(spent, [dest]), { code: 'HOP_LIMIT' });
    assert.throws(() => g.admit({ ...spent, id: 'h2', hops: 4 }), { code: 'HOP_LIMIT' });
    const far = randomIdInBucket(dest, 0, rnd);
    const me = new RouteGuard({ selfId: randomIdInBucket(dest, 5, rnd) });
    assert.throws(() => me.route(createEnvelope({ id: 'n', src: a, dest }), [far]), { code: 'NO_ROUTE' });
    assert.deepEqual(g.stats.rejected, { HOP_LIMIT: 2 });
    assert.deepEqual(me.stats.rejected, { NO_ROUTE: 1 });
  });

  it('rejects malformed envelopes with typed errors, and counts them', () => {
    const a = randomId(rnd);
    const g = new RouteGuard({ selfId: a, maxHopLimit: 16 });
    const ok = createEnvelope({ id: 'ok', src: a, dest: randomId(rnd) });
    const bad: [unknown, string][] = [
      [null, 'INVALID_ENVELOPE'],
      [{ ...ok, id: '' }, 'INVALID_ENVELOPE'],
      [{ ...ok, id: 'x'.repeat(129) }, 'INVALID_ENVELOPE'],
      [{ ...ok, dest: 'nope' }, 'INVALID_ID'],
      [{ ...ok, hopLimit: 17 }, 'INVALID_ENVELOPE'],
      [{ ...ok, hops: -1 }, 'INVALID_ENVELOPE'],
      [{ ...ok, hops: 1.5 }, 'INVALID_ENVELOPE'],
      [{ ...ok, path: ['bad'] }, 'INVALID_ENVELOPE'],
      [{ ...ok, path: Array(40).fill(a) }, 'INVALID_ENVELOPE'],
    ];
    for (const [env, code] of bad) assert.throws(() => g.admit(env as RouteEnvelope), { code });
    assert.equal(g.stats.rejected.INVALID_ENVELOPE, 8);
    assert.equal(g.stats.admitted, 0);
  });

  it('remembers a bounded number of message ids', () => {
    const a = randomId(rnd);
    const g = new RouteGuard({ selfId: a, maxSeen: 3 });
    const env = (id: string) => createEnvelope({ id, src: a, dest: a });
    for (const id of ['1', '2', '3', '4']) g.admit(env(id));
    assert.throws(() => g.admit(env('4')), { code: 'LOOP' });
    g.admit(env('1')); // forgotten: the oldest id went when the fourth came
  });
});
