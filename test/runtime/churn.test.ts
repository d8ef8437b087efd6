import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChurnMap, ChurnSet, SeededRandom } from '../../src/runtime/index.js';

describe('ChurnMap', () => {
  it('behaves as a Map over 20,000 random operations, through many renewals', () => {
    const rnd = new SeededRandom(7);
    const ref = new Map<number, string>();
    const m = new ChurnMap<number, string>();
    for (let i = 0; i < 20_000; i++) {
      const k = Math.floor(rnd.next() * 200);
      const op = rnd.next();
      if (op < 0.45) {
        ref.set(k, `v${i}`);
        assert.equal(m.set(k, `v${i}`), m);
      } else if (op < 0.9) {
        assert.equal(m.delete(k), ref.delete(k));
      } else if (op < 0.95) {
        assert.equal(m.get(k), ref.get(k));
        assert.equal(m.has(k), ref.has(k));
      } else {
        assert.equal(m.size, ref.size);
        assert.deepEqual(m.entries(), [...ref]);
        assert.deepEqual(m.values(), [...ref.values()]);
      }
    }
    m.clear();
    assert.equal(m.size, 0);
    assert.deepEqual(m.entries(), []);
  });

  it('iterates a snapshot: deleting while looping visits every entry once', () => {
    const m = new ChurnMap<number, number>();
    for (let i = 0; i < 500; i++) m.set(i, i);
    const seen: number[] = [];
    for (const v of m.values()) {
      seen.push(v);
      m.delete(v); // renews the inner Map many times over
    }
    assert.equal(seen.length, 500);
    assert.equal(m.size, 0);
  });
});

describe('ChurnSet', () => {
  it('behaves as a Set over 20,000 random operations, through many renewals', () => {
    const rnd = new SeededRandom(11);
    const ref = new Set<number>();
    const s = new ChurnSet<number>();
    for (let i = 0; i < 20_000; i++) {
      const k = Math.floor(rnd.next() * 100);
      const op = rnd.next();
      if (op < 0.45) {
        ref.add(k);
        assert.equal(s.add(k), s);
      } else if (op < 0.9) {
        assert.equal(s.delete(k), ref.delete(k));
      } else {
        assert.equal(s.has(k), ref.has(k));
        assert.equal(s.size, ref.size);
        assert.deepEqual(s.values(), [...ref]);
      }
    }
  });
});
