import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../src/runtime/index.js';
import { ConnectionClosedError, Inbox } from '../../src/transport/index.js';

describe('Inbox', () => {
  it('queues up to its capacity and refuses beyond it', async () => {
    const inbox = new Inbox<number>(2, new VirtualClock(), 'accept');
    assert.equal(inbox.push(1), true);
    assert.equal(inbox.push(2), true);
    assert.equal(inbox.push(3), false);
    assert.equal(await inbox.next(), 1);
    assert.equal(await inbox.next(), 2);
  });

  it('a subscribed handler gets queued items first, and a new handler replaces the old one', () => {
    const inbox = new Inbox<number>(8, new VirtualClock(), 'accept');
    inbox.push(1);
    const a: number[] = [];
    const b: number[] = [];
    inbox.subscribe((x) => a.push(x));
    inbox.push(2);
    const off = inbox.subscribe((x) => b.push(x));
    inbox.push(3);
    off();
    assert.equal(inbox.push(4), true, 'back to queueing once unsubscribed');
    assert.deepEqual(a, [1, 2]);
    assert.deepEqual(b, [3]);
  });

  it('next() honours timeoutMs on the injected clock', async () => {
    const clock = new VirtualClock();
    const inbox = new Inbox<number>(8, clock, 'acceptStream');
    const p = inbox.next({ timeoutMs: 100 });
    const rejected = assert.rejects(p, { code: 'TIMEOUT' });
    await clock.advance(100);
    await rejected;
    inbox.push(5);
    assert.equal(await inbox.next(), 5, 'still usable after a timeout');
  });

  it('close() fails pending and future next() with the close error', async () => {
    const inbox = new Inbox<number>(8, new VirtualClock(), 'acceptStream');
    const pending = inbox.next();
    const err = new ConnectionClosedError('gone');
    inbox.close(err);
    await assert.rejects(pending, err);
    await assert.rejects(inbox.next(), err);
    assert.equal(inbox.push(1), false);
  });

  it('a handler that throws or rejects is reported as a warning and delivery goes on', async () => {
    const inbox = new Inbox<number>(8, new VirtualClock(), 'onStream');
    const seen: number[] = [];
    inbox.subscribe(async (x) => {
      seen.push(x);
      if (x === 1) throw new Error('async boom');
      if (x === 2) throw new Error('second boom');
    });
    const warning = once(process, 'warning');
    inbox.push(1);
    const [w] = (await warning) as [Error & { code?: string }];
    assert.equal(w.code, 'MACULA_HANDLER_ERROR');
    assert.match(w.message, /onStream handler failed: async boom/);
    inbox.subscribe((x) => {
      seen.push(x);
      throw new Error('sync boom');
    });
    const syncWarning = once(process, 'warning');
    inbox.push(3);
    const [w2] = (await syncWarning) as [Error];
    assert.match(w2.message, /sync boom/);
    inbox.push(4);
    assert.deepEqual(seen, [1, 3, 4]);
  });
});
