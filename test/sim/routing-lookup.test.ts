// Lookups on a 200-node simulated network (latency, 1 % loss with retransmission), built
// the Kademlia way: every node joins by looking up its own id through a random member.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { LookupSim } from '../../src/sim/index.js';

describe('lookup simulation, 200 nodes', () => {
  let sim: LookupSim;
  before(async () => {
    sim = await LookupSim.build({ nodes: 200, seed: 2024 });
  });

  it('builds bounded tables from traffic alone', () => {
    const t = sim.tableSizes();
    assert.ok(t.mean >= 20, `mean table ${t.mean}`);
    assert.ok(t.max <= 20 * 9, `max table ${t.max}`); // ≤ k per bucket, ~log2(200) buckets in use
  });

  it('finds the true closest node of every random target on a stable network', async () => {
    const r = await sim.measure(150);
    assert.equal(r.successRate, 1, JSON.stringify(r));
    assert.ok(r.hopsMean <= Math.log2(200) / 2, `hops ${r.hopsMean}`);
    assert.ok(r.messagesMean < 80, `messages ${r.messagesMean}`);
  });

  it('still finds it for ≥ 99 % of lookups after 10 % of the nodes vanish without notice', async () => {
    assert.equal(sim.churn(0.1), 20);
    const r = await sim.measure(150);
    assert.ok(r.successRate >= 0.99, JSON.stringify(r));
    assert.ok(r.timeoutsMean > 0); // the dead were in the tables, and cost timeouts
    assert.ok(r.hopsMean <= Math.log2(180) / 2, `hops ${r.hopsMean}`);
  });
});
