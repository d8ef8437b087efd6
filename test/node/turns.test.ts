// Operations that can finish without I/O still let the event loop turn: a tight
// `await publish()` loop must not starve the node's timers and sockets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TurnBudget, VirtualClock } from '../../src/runtime/index.js';
import { testnet } from '../helpers/testnet.js';

/** Runs `op` `n` times back to back; returns at which iteration a 5 ms timer fired (-1: after). */
async function timerDuring(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let fired = -1;
  let i = 0;
  const timer = setTimeout(() => {
    fired = i;
  }, 5);
  for (; i < n; i++) await op(i);
  clearTimeout(timer);
  return fired;
}

describe('turns of the event loop', () => {
  it('a tight await loop of publishes to nobody, of local calls and of casts lets a timer fire', async (t) => {
    const tn = await testnet(t, 1);
    const node = tn.nodes[0]!;
    await node.register<number, number>('local.inc', (x) => x + 1);
    const n = 200_000;
    const pub = await timerDuring(n, (i) => node.publish('nobody.listens', i));
    assert.ok(pub >= 0 && pub < n, `publish: the timer fired at ${pub} of ${n}`);
    const call = await timerDuring(n / 4, (i) => node.call('local.inc', i));
    assert.ok(call >= 0 && call < n / 4, `call: the timer fired at ${call} of ${n / 4}`);
    const cast = await timerDuring(n / 4, (i) => node.cast('local.inc', i));
    assert.ok(cast >= 0 && cast < n / 4, `cast: the timer fired at ${cast} of ${n / 4}`);
  });

  it('TurnBudget: no turn owed for short runs; owed after maxCount or maxMs; a turn resets it', async () => {
    const clock = new VirtualClock();
    const b = new TurnBudget(clock, 2, 100);
    for (let i = 1; i < 100; i++) assert.equal(b.spend(), undefined, `operation ${i}`);
    const owed = b.spend();
    assert.ok(owed instanceof Promise, 'the 100th operation owes a turn');
    await owed;
    assert.equal(b.spend(), undefined, 'the turn reset the run');
    for (let i = 0; i < 70; i++) b.spend();
    await clock.advance(3);
    assert.ok(b.spend() instanceof Promise, 'over maxMs');
  });
});
