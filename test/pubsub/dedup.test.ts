import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../src/core/index.js';
import { DedupWindow } from '../../src/pubsub/index.js';

const P = 'a'.repeat(64);
const Q = 'b'.repeat(64);
const BASE = 1_700_000_000_000 * 1024;

describe('DedupWindow', () => {
  it('lets in-order messages through once and drops their copies', () => {
    const d = new DedupWindow();
    for (let i = 0; i < 3000; i++) assert.equal(d.seen(P, BASE + i), false);
    for (const i of [2999, 2500, 2000]) assert.equal(d.seen(P, BASE + i), true);
    assert.deepEqual(d.stats(), {
      publishers: 1,
      accepted: 3000,
      duplicates: 3,
      tooOld: 0,
      invalid: 0,
      evicted: 0,
    });
  });

  it('accepts out-of-order messages inside the window, also ones sent before the first seen', () => {
    const d = new DedupWindow({ window: 8 });
    assert.equal(d.seen(P, 100), false);
    assert.equal(d.seen(P, 98), false, 'sent earlier, arrived later');
    assert.equal(d.seen(P, 103), false);
    assert.equal(d.seen(P, 101), false);
    assert.equal(d.seen(P, 98), true);
    assert.equal(d.seen(P, 102), false);
    assert.equal(d.seen(P, 103), true);
    assert.equal(d.seen(P, 95), true, 'below the window (103 - 8): too old to tell');
    assert.equal(d.seen(P, 96), false, 'the window bottom is still tracked');
    assert.deepEqual(d.stats(), {
      publishers: 1,
      accepted: 6,
      duplicates: 2,
      tooOld: 1,
      invalid: 0,
      evicted: 0,
    });
  });

  it('keeps publishers apart, slides over big jumps (a restarted publisher) and drops invalid seqs', () => {
    const d = new DedupWindow({ window: 4 });
    assert.equal(d.seen(P, 7), false);
    assert.equal(d.seen(Q, 7), false);
    assert.equal(d.seen(P, 7), true);
    assert.equal(d.seen(P, BASE), false, 'new epoch');
    assert.equal(d.seen(P, BASE - 1), false, 'inside the slid window, never seen');
    assert.equal(d.seen(P, 8), true, 'old epoch: far below the window');
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY])
      assert.equal(d.seen(Q, bad), true);
    assert.equal(d.stats().invalid, 5);
  });

  it('tracks at most maxPublishers, evicting the least recently seen; an evicted one lets a copy through', () => {
    const d = new DedupWindow({ maxPublishers: 2 });
    d.seen('p1', 1);
    d.seen('p2', 1);
    d.seen('p1', 2); // p1 is now the most recent
    d.seen('p3', 1); // evicts p2
    assert.deepEqual([d.stats().publishers, d.stats().evicted], [2, 1]);
    assert.equal(d.seen('p1', 1), true, 'p1 kept its history');
    assert.equal(d.seen('p2', 1), false, 'p2 was forgotten: one copy gets through (evicts p3)');
    assert.equal(d.seen('p2', 1), true, '…and only one');
    assert.equal(d.seen('p3', 1), false);
  });

  it('property: equals an exact set model while seqs stay inside the window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(P, Q), fc.integer({ min: 0, max: 63 })), { maxLength: 300 }),
        (msgs) => {
          const d = new DedupWindow({ window: 64 });
          const model = new Set<string>();
          for (const [p, seq] of msgs) {
            const key = `${p}:${seq}`;
            assert.equal(d.seen(p, BASE + seq), model.has(key));
            model.add(key);
          }
        },
      ),
    );
  });

  it('property: never lets a copy through while the publisher stays tracked', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 400 }), (seqs) => {
        const d = new DedupWindow({ window: 32 });
        const accepted = new Set<number>();
        for (const s of seqs) {
          if (!d.seen(P, s)) {
            assert.ok(!accepted.has(s), `seq ${s} accepted twice`);
            accepted.add(s);
          }
        }
      }),
    );
  });

  it('checks its options', () => {
    for (const opts of [{ window: 0 }, { window: 1.5 }, { maxPublishers: 0 }, { window: 1e6 }]) {
      assert.throws(() => new DedupWindow(opts), InvalidArgumentError);
    }
  });
});
