// Routed messages on a 500-node mesh whose routing tables are fed by membership (every
// node observes every member): greedy hop by hop, next-best hop when the chosen one is dead.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { RouteSim } from '../../src/sim/index.js';

const N = 500;
const LOG2N = Math.log2(N);

describe('routed-message simulation, 500 nodes', () => {
  let sim: RouteSim;
  before(() => {
    sim = RouteSim.build({ nodes: N, seed: 2024 });
  });

  it('fills the same tables the fast way as by observing every member', () => {
    const slow = RouteSim.build({ nodes: 200, seed: 5, fastFill: false });
    const fast = RouteSim.build({ nodes: 200, seed: 5 });
    for (let i = 0; i < 200; i++) {
      const [a, b] = [fast.nodes[i]!.table, slow.nodes[i]!.table];
      assert.deepEqual(a.entries(), b.entries(), `node ${i}`);
      assert.deepEqual(a.stats(), b.stats(), `node ${i}`); // replacements too
    }
  });

  it('holds min(k, members in range) entries in every bucket', () => {
    for (const n of sim.nodes.slice(0, 20)) {
      const members = new Map<number, number>();
      const held = new Map<number, number>();
      for (const m of sim.nodes)
        if (m !== n)
          members.set(n.table.bucketOf(m.contact.id), (members.get(n.table.bucketOf(m.contact.id)) ?? 0) + 1);
      for (const e of n.table.entries())
        held.set(n.table.bucketOf(e.id), (held.get(n.table.bucketOf(e.id)) ?? 0) + 1);
      for (const [b, c] of members) assert.equal(held.get(b), Math.min(20, c), `node ${n.index} bucket ${b}`);
    }
  });

  it('delivers every message on a stable network, in at most log2 N hops', () => {
    const r = sim.measure(1000);
    assert.equal(r.successRate, 1, JSON.stringify(r));
    assert.equal(r.timeoutsMean, 0);
    assert.ok(r.hopsP99 <= LOG2N, `p99 ${r.hopsP99}`);
    assert.ok(r.hopsMean <= LOG2N / 2, `mean ${r.hopsMean}`);
  });

  it('pays timeouts while the dead are still in tables, and delivers once membership removed them', () => {
    assert.equal(sim.churn(0.1), 50);
    const window = sim.measure(1000);
    assert.ok(window.timeoutsMean > 0, JSON.stringify(window));
    assert.ok(window.successRate >= 0.99, JSON.stringify(window));
    assert.ok(sim.dropDead() > 0);
    const dead = new Set(sim.nodes.filter((n) => !n.alive).map((n) => n.contact.id));
    for (const n of sim.live()) assert.ok(n.table.entries().every((e) => !dead.has(e.id)));
    const after = sim.measure(1000);
    assert.equal(after.successRate, 1, JSON.stringify(after));
    assert.equal(after.timeoutsMean, 0);
    assert.ok(after.hopsP99 <= Math.log2(N * 0.9), `p99 ${after.hopsP99}`);
  });

  it('gives up at a dead next hop when allowed a single try', () => {
    const s = RouteSim.build({ nodes: 300, seed: 9, triesPerHop: 1 });
    s.churn(0.1);
    const r = s.measure(500);
    assert.ok(r.failures['no-route'] > 0);
    assert.equal(r.failures['no-route'], Math.round(r.timeoutsMean * 500)); // each timeout lost its message
    assert.equal(r.failures['hop-limit'], 0);
  });

  it('is deterministic for a seed', () => {
    const run = (seed: number) => {
      const s = RouteSim.build({ nodes: 200, seed });
      const stable = s.measure(200);
      s.churn(0.1);
      return { ids: s.nodes.map((n) => n.contact.id), stable, window: s.measure(200) };
    };
    assert.deepEqual(run(11), run(11));
    assert.notDeepEqual(run(11).ids, run(12).ids);
  });
});
