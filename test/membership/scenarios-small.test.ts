// SWIM on small realms, where a rumour is re-sent only a few times and can miss a member:
// joins racing through one seed, and members wrongly declared dead, must still settle fast.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwimCluster, type SwimClusterOptions } from '../../src/sim/index.js';

/** Node 0 starts, then nodes 1…n-1 join through it 5 ms apart; resolves with the ms to converge. */
async function joinRace(seed: number, n: number): Promise<number> {
  const c = new SwimCluster({ seed });
  c.add(n);
  await c.join(0, []);
  const joins: Promise<void>[] = [];
  for (let i = 1; i < n; i++) {
    joins.push(c.join(i, [0]));
    await c.runFor(5);
  }
  await Promise.all(joins);
  return c.runUntil(() => c.converged(), { maxMs: 60_000, stepMs: 50 });
}

/** Five converged nodes; node 2 is cut off for `cutMs`, then the link heals. */
async function cutOff(seed: number, cutMs: number, o: Partial<SwimClusterOptions> = {}) {
  const c = new SwimCluster({ seed, ...o });
  c.add(5);
  await c.joinAll(0, 5, 20);
  await c.runUntil(() => c.converged(), { maxMs: 60_000 });
  c.partition([[2], [0, 1, 3, 4]]);
  await c.runFor(cutMs);
  const declared = [0, 1, 3, 4].every((i) => c.view(i, 2)?.state === 'dead');
  c.heal();
  return { c, declared };
}

describe('membership scenarios (small realms)', () => {
  it('5 and 8 nodes joining together through one seed converge within 2.5 s, on each of 100 seeds', async (t) => {
    for (const n of [5, 8]) {
      let worst = 0;
      for (let seed = 1; seed <= 100; seed++) {
        const ms = await joinRace(seed, n);
        assert.ok(ms <= 2500, `${n} nodes, seed ${seed}: converged after ${ms} ms`);
        worst = Math.max(worst, ms);
      }
      t.diagnostic(`${n} nodes: slowest ${worst} ms`);
    }
  });

  it('a member cut off for 15 s, long enough for verdicts both ways, is alive everywhere within 2 s of the heal, on each of 20 seeds', async (t) => {
    let worst = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { c, declared } = await cutOff(seed, 15_000);
      assert.ok(declared, `seed ${seed}: every other member declared node 2 dead`);
      const ms = await c.runUntil(() => c.converged(), { maxMs: 60_000, stepMs: 50 });
      assert.ok(ms <= 2000, `seed ${seed}: converged ${ms} ms after the heal`);
      worst = Math.max(worst, ms);
    }
    t.diagnostic(`slowest ${worst} ms`);
  });

  it('without telling the dead, the same heal mostly waits for the partition-healing push-pull', async () => {
    // The control for the test above: with tellDeadMs = 0, a member that holds everyone
    // else dead (and is held dead) hears of it only through reconnectIntervalMs (10 s).
    const slow: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const { c } = await cutOff(seed, 15_000, { tunables: { tellDeadMs: 0 } });
      const ms = await c.runUntil(() => c.converged(), { maxMs: 60_000, stepMs: 50 });
      if (ms > 2000) slow.push(seed);
    }
    assert.ok(slow.length >= 5, `slower than 2 s on seeds ${slow.join(', ') || 'none'}`);
  });
});
