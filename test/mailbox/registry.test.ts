import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MailboxError, MailboxRegistry } from '../../src/mailbox/index.js';

const msg = (mailbox: string, payload: unknown) => ({ from: 'a'.repeat(64), mailbox, payload, hops: 0 });
const code = (c: string) => (e: unknown) => e instanceof MailboxError && e.code === c;

describe('MailboxRegistry', () => {
  it('validates names and refuses a second mailbox of the same name until the first closes', () => {
    const r = new MailboxRegistry();
    for (const bad of ['', 'has space', 'x'.repeat(129), 'tab\t', 42]) {
      assert.throws(() => r.open(bad as string), code('INVALID_NAME'));
    }
    const box = r.open('inbox');
    assert.throws(() => r.open('inbox'), code('ALREADY_REGISTERED'));
    box.close();
    box.close(); // idempotent
    r.open('inbox').close();
    assert.throws(() => r.open('x', undefined, { capacity: 0 }), RangeError);
  });

  it('queues up to capacity for a reader, then refuses with MAILBOX_FULL; readers drain after close', async () => {
    const r = new MailboxRegistry();
    const box = r.open<number>('q', undefined, { capacity: 2 });
    await r.deliver(msg('q', 1));
    await r.deliver(msg('q', 2));
    await assert.rejects(r.deliver(msg('q', 3)), code('MAILBOX_FULL'));
    assert.equal(box.pending, 2);
    box.close();
    const got: unknown[] = [];
    for await (const m of box) got.push(m.payload);
    assert.deepEqual(got, [1, 2]);
    await assert.rejects(r.deliver(msg('q', 4)), code('NO_MAILBOX'));
    assert.deepEqual(r.stats(), { open: 0, delivered: 2, rejected: { MAILBOX_FULL: 1, NO_MAILBOX: 1 } });
  });

  it('handler mode awaits the handler and reports its failure; an abort signal closes the mailbox', async () => {
    const r = new MailboxRegistry();
    const seen: unknown[] = [];
    const ctl = new AbortController();
    const box = r.open(
      'h',
      async (m) => {
        if (m.payload === 'boom') throw new Error('kaput');
        seen.push(m.payload);
      },
      { signal: ctl.signal },
    );
    await r.deliver(msg('h', 'ok'));
    await assert.rejects(
      r.deliver(msg('h', 'boom')),
      (e: unknown) => code('HANDLER_FAILED')(e) && /kaput/.test((e as Error).message),
    );
    assert.deepEqual(seen, ['ok']);
    assert.throws(() => box[Symbol.asyncIterator](), MailboxError);
    ctl.abort();
    assert.equal(box.closed, true);
    await assert.rejects(r.deliver(msg('h', 'late')), code('NO_MAILBOX'));
    r.open('a');
    r.open('b');
    r.closeAll();
    assert.equal(r.stats().open, 0);
  });
});
