import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidNodeIdError } from '../../src/core/index.js';
import { SeededRandom } from '../../src/runtime/index.js';
import { Ring, ringNeighbours } from '../../src/topology/index.js';
import { at, randomIds } from './helpers.js';

type Six = [string, string, string, string, string, string];

/** Reference: sort, find self's slot, walk both ways. */
function naive(self: string, members: readonly string[], k: number): Set<string> {
  const others = [...new Set(members)].filter((m) => m !== self);
  if (others.length <= k) return new Set(others);
  const all = [...others, self].sort();
  const i = all.indexOf(self);
  const out = new Set<string>();
  const n = all.length;
  for (let j = 1; j <= Math.ceil(k / 2); j++) out.add(all[(i + j) % n]!);
  for (let j = 1; j <= Math.floor(k / 2); j++) out.add(all[(i - j + n) % n]!);
  return out;
}

describe('ring neighbours', () => {
  const [a, b, c, d, e, f] = ['10', '20', '30', '40', '50', '60'].map(at) as Six;

  it('is empty with no other member or k = 0', () => {
    assert.deepEqual(ringNeighbours(a, [], 4), []);
    assert.deepEqual(ringNeighbours(a, [a], 4), []);
    assert.deepEqual(ringNeighbours(a, [a, b, c], 0), []);
  });

  it('returns everyone else, clockwise from self, when there are k or fewer', () => {
    assert.deepEqual(ringNeighbours(c, [a, b, c, d], 4), [d, a, b]);
    assert.deepEqual(ringNeighbours(c, [a, b, d, e], 4), [d, e, a, b]);
  });

  it('takes ceil(k/2) successors then floor(k/2) predecessors, nearest first', () => {
    const all = [f, d, b, a, e, c];
    assert.deepEqual(ringNeighbours(c, all, 2), [d, b]);
    assert.deepEqual(ringNeighbours(c, all, 4), [d, e, b, a]);
    assert.deepEqual(ringNeighbours(c, all, 3), [d, e, b]);
  });

  it('wraps around both ends of the ring', () => {
    const all = [a, b, c, d, e, f];
    assert.deepEqual(ringNeighbours(f, all, 4), [a, b, e, d]);
    assert.deepEqual(ringNeighbours(a, all, 4), [b, c, f, e]);
    const top = at('ff'.repeat(32));
    assert.deepEqual(ringNeighbours(top, all, 2), [a, f]);
  });

  it('works for a self that is not a member, and ignores duplicates', () => {
    assert.deepEqual(ringNeighbours(at('35'), [a, b, c, d, e, f, c, d], 4), [d, e, c, b]);
  });

  it('matches a reference implementation on random rings', () => {
    const random = new SeededRandom(7);
    for (const n of [1, 2, 3, 5, 8, 9, 50, 300]) {
      const ids = randomIds(random, n);
      for (const k of [1, 2, 3, 4, 7, 8]) {
        for (const self of ids.slice(0, 10)) {
          const got = ringNeighbours(self, ids, k);
          assert.equal(new Set(got).size, got.length, 'no duplicates');
          assert.ok(!got.includes(self));
          assert.deepEqual(new Set(got), naive(self, ids, k), `n=${n} k=${k}`);
        }
      }
    }
  });

  it('is symmetric for even k: B in A’s neighbours iff A in B’s', () => {
    const random = new SeededRandom(11);
    for (const n of [3, 5, 6, 7, 40, 500]) {
      const ids = randomIds(random, n);
      const ring = new Ring(ids);
      for (const k of [2, 4, 6, 8]) {
        const nb = new Map(ids.map((id) => [id, new Set(ring.neighbours(id, k))]));
        for (const [x, set] of nb) for (const y of set) assert.ok(nb.get(y)!.has(x), `n=${n} k=${k}`);
      }
    }
  });

  it('rejects ids that are not 64 lowercase hex characters', () => {
    assert.throws(() => ringNeighbours('abc', [a], 2), InvalidNodeIdError);
    assert.throws(() => new Ring([a, at('AB')]), InvalidNodeIdError);
  });
});

describe('Ring', () => {
  it('add/remove keep it equal to a ring rebuilt from scratch', () => {
    const random = new SeededRandom(3);
    const ids = randomIds(random, 400);
    const ring = new Ring(ids.slice(0, 200));
    const live = new Set(ids.slice(0, 200));
    for (let i = 0; i < 1000; i++) {
      const id = ids[random.int(ids.length)]!;
      if (live.has(id)) {
        assert.equal(ring.remove(id), true);
        live.delete(id);
      } else {
        assert.equal(ring.add(id), true);
        live.add(id);
      }
    }
    assert.equal(ring.add(ids[0]!), !live.has(ids[0]!));
    live.add(ids[0]!);
    assert.deepEqual([...ring.members()], [...live].sort());
    assert.equal(ring.remove(at('00')), false);
    const fresh = new Ring(live);
    for (const self of ids.slice(0, 50))
      assert.deepEqual(ring.neighbours(self, 6), fresh.neighbours(self, 6));
  });

  it('successor wraps to the first member', () => {
    const ring = new Ring([at('20'), at('80')]);
    assert.equal(ring.successor(at('20')), at('20'));
    assert.equal(ring.successor(at('21')), at('80'));
    assert.equal(ring.successor(at('81')), at('20'));
    assert.equal(new Ring().successor(at('00')), undefined);
  });

  it('answers 10,000 neighbour queries on 10,000 members well under a second', () => {
    const ids = randomIds(new SeededRandom(5), 10_000);
    const t0 = performance.now();
    const ring = new Ring(ids);
    const t1 = performance.now();
    let total = 0;
    for (const id of ids) total += ring.neighbours(id, 8).length;
    const t2 = performance.now();
    for (const id of ids.slice(0, 1000)) {
      ring.remove(id);
      ring.add(id);
    }
    const t3 = performance.now();
    console.log(
      `ring: build ${(t1 - t0).toFixed(1)} ms, 10k queries ${(t2 - t1).toFixed(1)} ms, 1k remove+add ${(t3 - t2).toFixed(1)} ms`,
    );
    assert.equal(total, 80_000);
    assert.ok(t2 - t1 < 500, `queries took ${t2 - t1} ms`);
    assert.ok(t1 - t0 < 500, `build took ${t1 - t0} ms`);
  });
});
