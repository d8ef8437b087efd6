import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/index.js';
import { DedupWindow, PubSubError, SEQ_COUNTER_BITS, Sequencer } from '../../src/pubsub/index.js';

const T0 = 1_700_000_000_000;

describe('Sequencer', () => {
  it('starts at wallClock × 2^10 and counts up by one', () => {
    const s = new Sequencer({ wallClock: () => T0 + 0.7 });
    assert.equal(SEQ_COUNTER_BITS, 10);
    assert.equal(s.base, T0 * 1024);
    assert.deepEqual([s.next(), s.next(), s.next()], [T0 * 1024, T0 * 1024 + 1, T0 * 1024 + 2]);
    assert.equal(s.issued, 3);
    assert.ok(Number.isSafeInteger(s.base));
  });

  it('a publisher restarted later starts above its previous run, so subscribers do not drop it', () => {
    const first = new Sequencer({ wallClock: () => T0 });
    const d = new DedupWindow();
    let last = 0;
    for (let i = 0; i < 5000; i++) {
      last = first.next();
      assert.equal(d.seen('pub', last), false);
    }
    const second = new Sequencer({ wallClock: () => T0 + 10 }); // restarted 10 ms later
    const seq = second.next();
    assert.ok(seq > last);
    assert.equal(d.seen('pub', seq), false);
  });

  it('stays a safe integer: refuses a clock past 2^43 ms and throws once the counter would pass 2^53 - 1', () => {
    for (const bad of [-1, Number.NaN, 2 ** 43]) {
      assert.throws(() => new Sequencer({ wallClock: () => bad }), InvalidArgumentError);
    }
    const s = new Sequencer({ wallClock: () => 2 ** 43 - 1 });
    let seq = 0;
    for (let i = 0; i < 1024; i++) seq = s.next();
    assert.equal(seq, Number.MAX_SAFE_INTEGER);
    assert.throws(
      () => s.next(),
      (e: unknown) => e instanceof PubSubError && e.code === 'SEQUENCE_EXHAUSTED',
    );
  });

  it('defaults to Date.now', () => {
    const before = Date.now();
    const s = new Sequencer();
    assert.ok(s.base >= before * 1024 && s.base <= Date.now() * 1024);
  });
});
