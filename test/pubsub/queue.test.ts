import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/index.js';
import { PubSubError, SubscriptionQueue } from '../../src/pubsub/index.js';

async function drain<T>(q: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of q) out.push(x);
  return out;
}

describe('SubscriptionQueue (iterator mode)', () => {
  it('drop-oldest (default) keeps the newest `capacity` events', async () => {
    const q = new SubscriptionQueue<number>({ capacity: 3 });
    for (let i = 1; i <= 5; i++) assert.equal(q.push(i), true);
    assert.equal(q.dropped, 2);
    q.close();
    assert.equal(q.push(6), false, 'closed');
    assert.deepEqual(await drain(q), [3, 4, 5]);
    assert.deepEqual(q.stats(), { pending: 0, dropped: 2, delivered: 3, handlerErrors: 0, closed: true });
  });

  it('drop-newest refuses new events when full', async () => {
    const q = new SubscriptionQueue<number>({ capacity: 2, overflow: 'drop-newest' });
    assert.deepEqual(
      [1, 2, 3, 4].map((i) => q.push(i)),
      [true, true, false, false],
    );
    q.close();
    assert.deepEqual(await drain(q), [1, 2]);
    assert.equal(q.dropped, 2);
  });

  it("'error' closes the queue with QUEUE_OVERFLOW: the reader gets what was buffered, then the error", async () => {
    const closes: unknown[] = [];
    const q = new SubscriptionQueue<number>({
      capacity: 2,
      overflow: 'error',
      onClose: (e) => closes.push(e),
    });
    assert.deepEqual(
      [1, 2, 3, 4].map((i) => q.push(i)),
      [true, true, false, false],
    );
    assert.equal(q.closed, true);
    assert.equal(q.dropped, 1);
    const got: number[] = [];
    await assert.rejects(
      async () => {
        for await (const x of q) got.push(x);
      },
      (e: unknown) => e instanceof PubSubError && e.code === 'QUEUE_OVERFLOW',
    );
    assert.deepEqual(got, [1, 2]);
    assert.equal(closes.length, 1);
    assert.ok(closes[0] instanceof PubSubError);
  });

  it('a waiting reader gets the event at once; leaving the loop closes the queue', async () => {
    let closed = 0;
    const q = new SubscriptionQueue<string>({ onClose: () => closed++ });
    const first = q.next();
    q.push('a');
    assert.deepEqual(await first, { value: 'a', done: false });
    q.push('b');
    q.push('c');
    for await (const x of q) {
      assert.equal(x, 'b');
      break;
    }
    assert.equal(q.closed, true);
    assert.equal(closed, 1);
    assert.equal(q.pending, 0, 'unread events are released');
    assert.equal(q.push('d'), false);
  });

  it('next() honours an abort signal', async () => {
    const q = new SubscriptionQueue<number>();
    const ctl = new AbortController();
    const p = q.next(ctl.signal);
    ctl.abort();
    await assert.rejects(p);
    q.push(1);
    assert.deepEqual(await q.next(), { value: 1, done: false });
  });

  it('checks its options', () => {
    for (const capacity of [0, -1, 1.5])
      assert.throws(() => new SubscriptionQueue({ capacity }), InvalidArgumentError);
    assert.throws(() => new SubscriptionQueue({ overflow: 'block' as 'error' }), InvalidArgumentError);
  });
});
