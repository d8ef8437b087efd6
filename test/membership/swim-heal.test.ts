// Units of how SWIM repairs a view a rumour missed: accusations answered to the accused,
// verdicts sent to the recently dead, push-pulls with strangers and after a join.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Strangers } from '../../src/membership/strangers.js';
import type { SyncState } from '../../src/membership/types.js';
import { SimClock } from '../../src/sim/index.js';
import type { Address } from '../../src/transport/index.js';
import { id, ids, member } from '../sim/swim-fixtures.js';

const KEY = new Uint8Array(32);

describe('telling the accused', () => {
  it('answers a ping from a member it holds dead or suspect with that accusation', () => {
    const m = member();
    const [, x, y] = ids;
    m.gossip({ t: 'dead', id: x!, inc: 2, from: ids[3]! });
    m.gossip({ t: 'suspect', id: y!, inc: 0, from: ids[3]! });
    for (const who of [x!, y!]) {
      m.sent.length = 0;
      m.swim.receive({ t: 'ping', seq: 7, target: ids[0]!, updates: [] }, { id: who, address: m.addr(who) });
      const ack = m.sent.find((s) => s.msg.t === 'ack' && s.to === m.addr(who));
      assert.ok(ack, 'acked');
      const first = ack.msg.updates[0];
      assert.equal(first?.id, who);
      assert.equal(first?.t, who === x ? 'dead' : 'suspect');
    }
  });

  it('pings a member it declared dead with the verdict each period, for tellDeadMs only', async () => {
    const m = member({ tunables: { tellDeadMs: 5000 } });
    const x = ids[1]!;
    m.gossip({ t: 'dead', id: x, inc: 0, from: ids[3]! });
    const told = () =>
      m.sent.filter((s) => s.to === m.addr(x) && s.msg.updates.some((u) => u.t === 'dead' && u.id === x));
    await m.clock.advance(4000);
    const n = told().length;
    assert.ok(n >= 8 && n <= 11, `told ${n} times in 4 s at one a 400 ms period`);
    await m.clock.advance(1500);
    const after = told().length;
    await m.clock.advance(10_000);
    assert.equal(told().length, after, 'not after tellDeadMs');
    // A refutation ends it too.
    m.gossip({ t: 'dead', id: ids[2]!, inc: 0, from: ids[3]! });
    m.gossip(m.alive(ids[2]!, 1));
    m.sent.length = 0;
    await m.clock.advance(2000);
    assert.equal(
      m.sent.filter((s) => s.to === m.addr(ids[2]!) && s.msg.t === 'ping' && s.msg.seq === 0).length,
      0,
    );
  });
});

describe('strangers and joins', () => {
  function syncing() {
    const calls: Address[] = [];
    const answers: Array<(s: { from: string; state: SyncState }) => void> = [];
    const sync = (to: Address) => {
      calls.push(to);
      return new Promise<{ from: string; state: SyncState }>((resolve) => answers.push(resolve));
    };
    return { calls, answers, sync };
  }

  it('push-pulls once with a member it never heard of that pings it, and learns it', async () => {
    const s = syncing();
    const m = member({ sync: s.sync });
    const stranger = id(77);
    const from = { id: stranger, address: m.addr(stranger) };
    m.swim.receive({ t: 'ping', seq: 1, target: ids[0]!, updates: [] }, from);
    m.swim.receive({ t: 'ping', seq: 2, target: ids[0]!, updates: [] }, from);
    assert.deepEqual(s.calls, [m.addr(stranger)], 'one push-pull for both pings');
    const entry = { id: stranger, inc: 3, state: 'alive' as const, addr: m.addr(stranger), key: KEY };
    s.answers[0]!({ from: stranger, state: { join: false, entries: [entry] } });
    await m.clock.advance(1);
    assert.equal(m.state(stranger), 'alive');
    // A stranger whose message says it is leaving is not worth a push-pull.
    const leaver = id(78);
    m.swim.receive(
      { t: 'ping', seq: 3, target: ids[0]!, updates: [{ t: 'left', id: leaver, inc: 1 }] },
      { id: leaver, address: m.addr(leaver) },
    );
    assert.equal(s.calls.length, 1);
  });

  it('push-pulls again a few periods after a successful join', async () => {
    const s = syncing();
    const m = member({ sync: s.sync });
    const joined = m.swim.join([m.addr(ids[1]!)]);
    s.answers[0]!({ from: ids[1]!, state: { join: false, entries: [] } });
    assert.equal(await joined, 1);
    await m.clock.advance(1999);
    assert.equal(s.calls.length, 1);
    await m.clock.advance(1);
    assert.equal(s.calls.length, 2, 'the follow-up push-pull');
  });

  it('Strangers: one try per id per gap, a bound on tries in flight and on ids tracked', async () => {
    const clock = new SimClock();
    const st = new Strangers(clock, 1000, 2, 3);
    assert.equal(st.admit('a'), true);
    assert.equal(st.admit('a'), false, 'same id within the gap');
    assert.equal(st.admit('b'), true);
    assert.equal(st.admit('c'), false, 'two in flight');
    st.done();
    assert.equal(st.admit('c'), true);
    st.done();
    st.done();
    assert.equal(st.admit('d'), false, 'three ids tracked, none older than the gap');
    await clock.advance(1000);
    assert.equal(st.admit('d'), true, 'old ones make room');
    assert.equal(st.admit('a'), true, 'and may be tried again');
  });
});
