import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '../../src/runtime/index.js';
import {
  chooseLinks,
  defaultLongRangeCount,
  fingerExponents,
  fingerTarget,
  longRangeLinks,
  nearestMember,
  Ring,
} from '../../src/topology/index.js';
import { at, randomIds } from './helpers.js';

/** Undirected graph of everyone's ring + long-range links (connections carry traffic both ways). */
function meshGraph(ids: readonly string[], k: number, longRange?: number): Map<string, Set<string>> {
  const ring = new Ring(ids);
  const adj = new Map(ids.map((id) => [id, new Set<string>()]));
  for (const a of ids) {
    const links = chooseLinks(ring, a, k, longRange);
    for (const b of [...links.ring, ...links.longRange]) {
      adj.get(a)!.add(b);
      adj.get(b)!.add(a);
    }
  }
  return adj;
}

/** Largest BFS eccentricity over all nodes (Infinity when disconnected). */
function diameter(adj: Map<string, Set<string>>): number {
  let worst = 0;
  for (const start of adj.keys()) {
    const dist = new Map([[start, 0]]);
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i]!;
      for (const v of adj.get(u)!) {
        if (dist.has(v)) continue;
        dist.set(v, dist.get(u)! + 1);
        queue.push(v);
      }
    }
    if (dist.size < adj.size) return Number.POSITIVE_INFINITY;
    worst = Math.max(worst, ...dist.values());
  }
  return worst;
}

describe('long-range links', () => {
  it('default count grows as ⌈log2(N)/2⌉, capped at 6', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 16, 17, 100, 1000, 4096, 10_000, 1e6].map(defaultLongRangeCount),
      [0, 0, 1, 1, 2, 3, 4, 5, 6, 6, 6],
    );
  });

  it('aims at Chord fingers when the count covers every scale, and spreads them otherwise', () => {
    assert.deepEqual(fingerExponents(1024, 4, 8), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(fingerExponents(64, 4, 10), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // 1,024 nodes, k = 4: scales from 2^-1 down to 2^-8 (4 nodes away), 3 links.
    assert.deepEqual(fingerExponents(1024, 4, 3), [1, 4.5, 8]);
    assert.deepEqual(fingerExponents(1024, 4, 0), []);
  });

  it('computes finger positions modulo the ring', () => {
    assert.equal(fingerTarget(at('00'), 1), at('8'));
    assert.equal(fingerTarget(at('00'), 4), at('1'));
    assert.equal(fingerTarget(at('00'), 5), at('08'));
    assert.equal(fingerTarget(at('c0'), 1), at('40'));
    assert.equal(fingerTarget('f'.repeat(64), 1), `7${'f'.repeat(63)}`);
    // 2^-1.5 of the ring ≈ 0.35355
    const frac = Number.parseInt(fingerTarget(at('00'), 1.5).slice(0, 13), 16) / 16 ** 13;
    assert.ok(Math.abs(frac - 2 ** -1.5) < 1e-12);
  });

  it('takes the member nearest to each target, skipping self, ring neighbours and repeats', () => {
    const ids = [
      '00',
      '10',
      '20',
      '30',
      '40',
      '50',
      '60',
      '70',
      '80',
      '90',
      'a0',
      'b0',
      'c0',
      'd0',
      'e0',
      'f0',
    ].map(at);
    const ring = new Ring(ids);
    const self = at('00');
    assert.deepEqual(ring.neighbours(self, 2), [at('10'), at('f0')]);
    // Targets 0x80, 0x40, 0x20, 0x10 (a ring neighbour), 0x08 (a tie: the successor, 0x10 again).
    assert.deepEqual(longRangeLinks(ring, self, 2, 5), [at('80'), at('40'), at('20')]);
    // A non-member self; 17 nodes, k = 2: exponents 1 and log2(17/2) ≈ 3.09, targets 0x81 and ≈ 0x1e:
    // the nearest members are 0x80 (before the target) and 0x20 (after it).
    assert.deepEqual(longRangeLinks(ring, at('01'), 2, 2), [at('80'), at('20')]);
    assert.equal(nearestMember(ring, at('f9')), at('00'), 'wraps around');
    assert.equal(nearestMember(ring, at('07')), at('00'));
    assert.equal(nearestMember(new Ring(), at('07')), undefined);
  });

  it('is deterministic given the member set, whatever the order', () => {
    const random = new SeededRandom(2);
    const ids = randomIds(random, 300);
    const shuffled = [...ids].sort(() => random.next() - 0.5);
    const a = new Ring(ids);
    const b = new Ring(shuffled);
    for (const self of ids.slice(0, 30)) {
      const la = longRangeLinks(a, self, 4);
      assert.deepEqual(la, longRangeLinks(b, self, 4));
      assert.equal(new Set(la).size, la.length);
      const near = new Set(a.neighbours(self, 4));
      for (const id of la) assert.ok(!near.has(id) && id !== self);
    }
  });

  it('keeps the BFS diameter of 1,000 random nodes logarithmic', () => {
    const n = 1000;
    const ids = randomIds(new SeededRandom(42), n);
    const k = 4;
    const ringOnly = diameter(meshGraph(ids, k, 0));
    const withLinks = diameter(meshGraph(ids, k));
    const fewer = diameter(meshGraph(ids, k, 3));
    const bound = Math.ceil(2 * Math.log2(n));
    console.log(
      `diameter, N=${n}, k=${k}: ring only ${ringOnly}, + ${defaultLongRangeCount(n)} long-range ${withLinks}, ` +
        `+ 3 long-range ${fewer} (2·log2 N = ${bound})`,
    );
    assert.equal(ringOnly, n / k);
    assert.ok(withLinks <= 6, `diameter ${withLinks}`);
    assert.ok(fewer <= 11, `diameter with 3 links ${fewer}`);
    assert.ok(withLinks <= bound);
  });
});
