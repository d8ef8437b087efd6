// MemberTable over a shared starting view (large simulations): reads in place, copies on change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedMembers } from '../../src/membership/member-pool.js';
import { type MemberRecord, MemberTable } from '../../src/membership/member-table.js';
import type { MemberState } from '../../src/membership/types.js';
import { SeededRandom } from '../../src/runtime/index.js';
import { ids } from '../sim/swim-fixtures.js';

const rec = (id: string, state: MemberState = 'alive'): MemberRecord => ({
  id,
  address: { host: id.slice(-4), port: 1 },
  key: new Uint8Array(32),
  incarnation: 0,
  state,
  since: 0,
});

/** ids[0]'s table, sharing a view of all ten ids (itself included). */
function shared(): { table: MemberTable; view: SharedMembers } {
  const table = new MemberTable(ids[0]!, new SeededRandom(7));
  table.add(rec(ids[0]!));
  const view = new SharedMembers(ids.map((id) => rec(id)));
  table.share(view);
  return { table, view };
}

describe('MemberTable probe order', () => {
  it('never moves its cursor past an empty order (a later add must not ask random.int(0))', () => {
    const strict = {
      next: () => 0.5,
      int: (max: number) => (max > 0 ? 0 : assert.fail(`int(${max})`)),
      bytes: () => new Uint8Array(),
    };
    const table = new MemberTable(ids[0]!, strict);
    table.add(rec(ids[0]!));
    assert.equal(table.nextProbeTarget(), undefined);
    assert.equal(table.nextProbeTarget(), undefined);
    table.add(rec(ids[1]!));
    assert.equal(table.nextProbeTarget()?.id, ids[1]);
  });
});

describe('MemberTable over a shared view', () => {
  it('counts the view once, self included, and reads its records in place', () => {
    const { table, view } = shared();
    assert.equal(table.size, 10);
    assert.equal(table.live, 10);
    assert.equal([...table.values()].length, 10);
    assert.equal(table.get(ids[3]!), view.byId.get(ids[3]!));
    assert.notEqual(table.get(ids[0]!), view.byId.get(ids[0]!), 'self stays its own record');
    assert.ok(Object.isFrozen(table.get(ids[3]!)));
  });

  it('copies a record before it changes, leaving the view untouched', () => {
    const { table, view } = shared();
    const r = table.own(table.get(ids[3]!)!);
    assert.equal(table.own(r), r);
    table.setState(r, 'dead', 5);
    assert.equal(table.get(ids[3]!)?.state, 'dead');
    assert.equal(view.byId.get(ids[3]!)?.state, 'alive');
    assert.equal(table.live, 9);
    assert.equal(table.size, 10);
    assert.deepEqual(
      table.inState('dead').map((x) => x.id),
      [ids[3]],
    );
    assert.equal(table.randomIn('dead', 3)[0], r);
  });

  it('picks random alive members among shared and copied ones, never self, dead or excluded ones', () => {
    const { table } = shared();
    table.setState(table.own(table.get(ids[4]!)!), 'suspect', 1);
    table.setState(table.own(table.get(ids[5]!)!), 'dead', 1);
    const picked = table.randomLive(20, ids[6]).map((r) => r.id);
    assert.deepEqual(new Set(picked), new Set([ids[1], ids[2], ids[3], ids[7], ids[8], ids[9]]));
    assert.equal(new Set(picked).size, picked.length);
    for (let i = 0; i < 50; i++) {
      const [one] = table.randomLive(1);
      assert.ok(one && one.id !== ids[0] && one.state === 'alive');
    }
  });

  it('probes each live member once per pass, skipping dead ones, forgotten ones included back', () => {
    const { table } = shared();
    const pass = () => Array.from({ length: 9 }, () => table.nextProbeTarget()!.id);
    assert.deepEqual(new Set(pass()), new Set(ids.slice(1)));
    table.setState(table.own(table.get(ids[2]!)!), 'dead', 1);
    table.delete(ids[2]!);
    assert.equal(table.get(ids[2]!), undefined);
    assert.equal(table.size, 9);
    table.setState(table.own(table.get(ids[8]!)!), 'dead', 1);
    const second = Array.from({ length: 7 }, () => table.nextProbeTarget()!.id);
    assert.deepEqual(new Set(second), new Set(ids.slice(1).filter((id) => id !== ids[2] && id !== ids[8])));
    table.add(rec(ids[2]!));
    assert.equal(table.size, 10);
    // Back mid-pass: probed by the end of the next pass.
    const next = Array.from({ length: 16 }, () => table.nextProbeTarget()!.id);
    assert.deepEqual(new Set(next), new Set(ids.slice(1).filter((id) => id !== ids[8])));
  });
});
