// The at-least-once outbox on a virtual clock: retries with backoff until acknowledged,
// expiry, bounds, abandoning a target that left.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Outbox } from '../../src/node/pubsub-outbox.js';
import { SeededRandom, VirtualClock } from '../../src/runtime/index.js';

function outbox(o: ConstructorParameters<typeof Outbox>[3] = {}) {
  const clock = new VirtualClock();
  const sent: [string, unknown][] = [];
  const box = new Outbox(clock, new SeededRandom(7), (t, b) => sent.push([t, b]), o);
  return { clock, sent, box };
}

describe('pub/sub outbox', () => {
  it('sends at once, retries with growing delays until acknowledged', async () => {
    const { clock, sent, box } = outbox({ retryMs: 1_000, expireMs: 60_000 });
    const done: [string, boolean][] = [];
    box.add(['a', 'b'], 7, 'msg', (t, ok) => done.push([t, ok]));
    assert.deepEqual(sent, [
      ['a', 'msg'],
      ['b', 'msg'],
    ]);
    box.ack('a', 7);
    assert.deepEqual(done, [['a', true]]);
    const times: number[] = [];
    for (let ms = 0; ms < 20_000; ms += 50) {
      const before = sent.length;
      await clock.advance(50);
      if (sent.length > before) times.push(clock.now());
    }
    // b only: about 1 s, then 2, 4, 8, 8 s apart (±20 % jitter).
    const gaps = times.map((t, i) => t - (times[i - 1] ?? 0));
    assert.ok(gaps.length >= 4, `retries at ${times}`);
    for (const [i, g] of gaps.slice(0, 4).entries()) {
      const want = 1_000 * 2 ** i;
      assert.ok(g >= want * 0.8 - 50 && g <= want * 1.2 + 300, `gap ${i}: ${g} ms, want about ${want}`);
    }
    assert.ok(sent.slice(2).every(([t]) => t === 'b'));
    box.ack('b', 7);
    box.ack('b', 7); // a duplicate acknowledgement changes nothing
    assert.deepEqual(done, [
      ['a', true],
      ['b', true],
    ]);
    const n = sent.length;
    await clock.advance(30_000);
    assert.equal(sent.length, n, 'no retry once acknowledged');
    assert.deepEqual(box.stats(), { pending: 0, acked: 2, retries: gaps.length, expired: 0, abandoned: 0 });
  });

  it('gives a delivery up after expireMs, and refuses to grow past maxPending', async () => {
    const { clock, box } = outbox({ retryMs: 100, expireMs: 2_000, maxPending: 3 });
    const done: boolean[] = [];
    box.add(['a', 'b'], 1, 'x', (_t, ok) => done.push(ok));
    assert.throws(() => box.add(['a', 'b'], 2, 'y'), { code: 'OUTBOX_FULL' });
    assert.equal(box.stats().pending, 2, 'nothing of the refused publish was queued');
    box.add(['c'], 3, 'z');
    await clock.advance(2_500);
    assert.deepEqual(done, [false, false]);
    assert.equal(box.stats().expired, 3);
    assert.equal(box.stats().pending, 0);
    box.add(['a', 'b', 'c'], 4, 'room again');
  });

  it('abandons what a target that left still had; stop settles everything', async () => {
    const { box } = outbox();
    const done: [string, boolean][] = [];
    box.add(['a', 'b'], 1, 'x', (t, ok) => done.push([t, ok]));
    box.add(['a'], 2, 'y', (t, ok) => done.push([t, ok]));
    box.dropTarget('a');
    assert.deepEqual(done, [
      ['a', false],
      ['a', false],
    ]);
    assert.equal(box.stats().abandoned, 2);
    box.stop();
    assert.deepEqual(done.at(-1), ['b', false]);
    assert.equal(box.stats().pending, 0);
  });
});
