import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PubSubError, SubscriptionQueue } from '../../src/pubsub/index.js';

/** A handler that blocks until released, so events pile up behind it. */
function gate() {
  const seen: number[] = [];
  let open!: () => void;
  let start!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  const started = new Promise<void>((r) => {
    start = r;
  });
  const handler = async (x: number) => {
    if (seen.length === 0) {
      seen.push(x);
      start();
      await opened;
      return;
    }
    seen.push(x);
  };
  return { seen, handler, open, started };
}

describe('SubscriptionQueue (handler mode)', () => {
  it('calls the handler one at a time, in order, never on the pusher’s stack', async () => {
    const seen: number[] = [];
    let active = 0;
    const q = new SubscriptionQueue<number>({
      handler: async (x) => {
        assert.equal(++active, 1, 'one call at a time');
        await Promise.resolve();
        seen.push(x);
        active--;
      },
    });
    for (let i = 0; i < 100; i++) q.push(i);
    assert.deepEqual(seen, [], 'deferred');
    await q.idle();
    assert.deepEqual(
      seen,
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.equal(q.stats().delivered, 100);
    assert.throws(
      () => q[Symbol.asyncIterator](),
      (e: unknown) => e instanceof PubSubError && e.code === 'NOT_ITERABLE',
    );
  });

  it('while the handler is busy, events queue up to capacity under the overflow policy', async () => {
    for (const [overflow, expected, dropped] of [
      ['drop-oldest', [0, 4, 5, 6], 3],
      ['drop-newest', [0, 1, 2, 3], 3],
    ] as const) {
      const g = gate();
      const q = new SubscriptionQueue<number>({ capacity: 3, overflow, handler: g.handler });
      q.push(0);
      await g.started; // the handler took 0 and blocks
      for (let i = 1; i <= 6; i++) q.push(i);
      assert.equal(q.pending, 3);
      g.open();
      await q.idle();
      assert.deepEqual(g.seen, expected, overflow);
      assert.equal(q.dropped, dropped);
    }
  });

  it('a throwing handler is counted and reported, and the next event still goes on', async () => {
    const reported: [unknown, number][] = [];
    const ok: number[] = [];
    const q = new SubscriptionQueue<number>({
      handler: (x) => {
        if (x === 2) throw new Error('sync boom');
        if (x === 3) return Promise.reject(new Error('async boom'));
        ok.push(x);
      },
      onHandlerError: (err, item) => {
        reported.push([err, item]);
        throw new Error('a failing reporter is ignored too');
      },
    });
    for (const x of [1, 2, 3, 4]) q.push(x);
    await q.idle();
    assert.deepEqual(ok, [1, 4]);
    assert.deepEqual(
      reported.map(([e, x]) => [(e as Error).message, x]),
      [
        ['sync boom', 2],
        ['async boom', 3],
      ],
    );
    assert.equal(q.stats().handlerErrors, 2);
  });

  it('close() refuses new events but the handler finishes what was buffered', async () => {
    const g = gate();
    const q = new SubscriptionQueue<number>({ handler: g.handler });
    q.push(1);
    q.push(2);
    q.close();
    q.close();
    assert.equal(q.push(3), false);
    g.open();
    await q.idle();
    assert.deepEqual(g.seen, [1, 2]);
    await q.idle(); // idle again: resolves at once
  });
});
