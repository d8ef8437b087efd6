// SWIM + Lifeguard on 100 simulated nodes: formation, join, failure detection, partition, leave.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureJoin, measureKill, SwimCluster } from '../../src/sim/index.js';
import { formed, N, tenPercent, viewsOf } from '../sim/helpers.js';

describe('membership scenarios (100 nodes)', () => {
  it('forms a realm, and one more join reaches everyone within 2·log2(N) periods', async (t) => {
    const c = new SwimCluster({ seed: 11 });
    c.add(N + 1);
    await c.joinAll(0, N, 20);
    await c.runUntil(() => c.converged(), { maxMs: 120_000 });
    await c.runFor(5000);
    const join = await measureJoin(c, N);
    t.diagnostic(`join known by all after ${join.periods.toFixed(2)} periods (${join.seconds.toFixed(2)} s)`);
    assert.ok(join.periods <= 2 * Math.log2(N), `${join.periods} periods`);
    await c.runUntil(() => c.converged(), { maxMs: 10_000 });
    assert.equal(c.recorder.falsePositives, 0);
  });

  it('detects 10 % killed at once: every survivor, p50 ≤ 3 s, p99 ≤ 6 s, no false positive', async (t) => {
    const c = await formed(12);
    await c.runFor(10_000);
    const victims = tenPercent(c);
    const d = await measureKill(c, victims, 60_000);
    t.diagnostic(`detection p50 ${d.p50.toFixed(2)} s, p99 ${d.p99.toFixed(2)} s, max ${d.max.toFixed(2)} s`);
    for (const v of victims) assert.ok(viewsOf(c, v).every((m) => m?.state === 'dead'));
    assert.ok(d.p50 <= 3, `p50 ${d.p50}`);
    assert.ok(d.p99 <= 6, `p99 ${d.p99}`);
    assert.equal(c.recorder.falsePositives, 0);
    // The survivors' alive views settle on exactly the survivors.
    await c.runUntil(() => c.converged(), { maxMs: 30_000 });
  });

  it('partitions into halves, each side declares the other dead, and heals to one consistent view', async (t) => {
    const c = await formed(13);
    const a = c.nodes.filter((n) => n.index % 2 === 0).map((n) => n.index);
    const b = c.nodes.filter((n) => n.index % 2 === 1).map((n) => n.index);
    c.partition([a, b]);
    const split = (x: number[], y: number[]) =>
      x.every((i) => y.every((j) => c.view(i, j)?.state === 'dead'));
    const apart = await c.runUntil(() => split(a, b) && split(b, a), { maxMs: 120_000, stepMs: 500 });
    c.heal();
    // Converged, and every member's view holds each member's own current incarnation.
    const consistent = () =>
      c.converged() &&
      c.nodes.every((n) => viewsOf(c, n.index).every((m) => m?.incarnation === n.swim.incarnation));
    const healed = await c.runUntil(consistent, { maxMs: 300_000, stepMs: 500 });
    t.diagnostic(`sides apart after ${apart / 1000} s, healed ${healed / 1000} s after the heal`);
  });

  it('records a graceful leave as left, never as dead', async () => {
    const c = await formed(14);
    const leaver = c.node(5);
    c.recorder.track(leaver.id);
    c.leave(5);
    await c.runUntil(() => viewsOf(c, 5).every((m) => m?.state === 'left'), { maxMs: 30_000 });
    c.kill(5);
    await c.runFor(30_000);
    const about = c.observations().filter((o) => o.subject === leaver.id);
    assert.equal(about.filter((o) => o.event === 'leave').length, N - 1);
    assert.deepEqual(
      about.filter((o) => o.event === 'dead' || o.event === 'suspect'),
      [],
    );
    assert.ok(c.converged());
  });

  it('rejoins a restarted node above the incarnation it was declared dead at', async () => {
    const c = await formed(15);
    const k = 7;
    c.kill(k);
    await c.runUntil(() => viewsOf(c, k).every((m) => m?.state === 'dead'), { maxMs: 60_000 });
    const deadAt = Math.max(...viewsOf(c, k).map((m) => m!.incarnation));
    // The restart waits on a push-pull, which needs the clock to move.
    const rejoined = c.restart(k, [0]);
    const node = c.node(k);
    const seen = () =>
      viewsOf(c, k).every((m) => m?.state === 'alive' && m.incarnation === node.swim.incarnation);
    await c.runUntil(seen, { maxMs: 60_000 });
    await rejoined;
    assert.ok(node.swim.incarnation > deadAt, `${node.swim.incarnation} > ${deadAt}`);
    await c.runUntil(() => c.converged(), { maxMs: 60_000 });
  });

  for (const kind of ['dead', 'suspect'] as const) {
    it(`refutes a forged ${kind} rumour: the victim is alive everywhere at a higher incarnation`, async () => {
      const c = await formed(16);
      const victim = c.node(9);
      const liar = c.node(3);
      const inc = victim.swim.incarnation;
      c.node(20).swim.receive(
        { t: 'gossip', updates: [{ t: kind, id: victim.id, inc, from: liar.id }] },
        liar.sender,
      );
      assert.equal(c.view(20, 9)?.state, kind);
      const refuted = () =>
        victim.swim.incarnation > inc &&
        viewsOf(c, 9).every((m) => m?.state === 'alive' && m.incarnation === victim.swim.incarnation);
      await c.runUntil(refuted, { maxMs: 30_000, stepMs: 50 });
      await c.runUntil(() => c.converged(), { maxMs: 30_000 });
    });
  }

  it('replays a seed exactly: the same observations, in the same order', async () => {
    const run = async (seed: number) => {
      const c = new SwimCluster({ seed, link: { loss: 0.02 } });
      for (const n of c.add(30)) c.recorder.track(n.id);
      await c.joinAll(0, 30, 20);
      await c.runFor(5000);
      c.kill(3);
      c.kill(17);
      await c.runFor(20_000);
      return { obs: c.observations(), bytes: c.net.stats.bytes };
    };
    const first = await run(5);
    assert.ok(first.obs.length > 30 * 29);
    assert.deepEqual(await run(5), first);
    assert.notDeepEqual((await run(6)).obs, first.obs);
  });
});
