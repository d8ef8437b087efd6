// Full nodes on the in-memory network: joining, failure detection, leave, topology, bad input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { count, testnet } from '../helpers/testnet.js';
import { waitFor } from '../helpers/wait.js';

describe('mesh (membership + topology + discovery)', () => {
  it('12 nodes joining through one seed all see each other alive and keep their ring links', async (t) => {
    const tn = await testnet(t, 12);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 12), 10_000, 'every node sees 12 alive');
    // Each node ends up connected to every ring neighbour it wants.
    await tn.until(
      () =>
        tn.nodes.every((n) => {
          const snap = n.topology()!;
          const ring = snap.desired.slice(0, snap.k);
          const conn = new Set(n.connections().map((p) => p.nodeId));
          return ring.every((id) => conn.has(id));
        }),
      10_000,
      'ring links connected',
    );
    const picture = tn.nodes[3]!.renderTopology();
    assert.match(picture, /ring/);
  });

  it('a crashed node is suspected, then declared dead by everyone; the mesh re-wires', async (t) => {
    const tn = await testnet(t, 8);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 8), 10_000, 'formed');
    const victim = tn.nodes[5]!;
    const suspected: string[] = [];
    for (const n of tn.nodes)
      n.on('member:suspect', (m) => m.id === victim.nodeId && suspected.push(n.nodeId));
    const t0 = performance.now();
    tn.crash(5);
    const others = tn.nodes.filter((n) => n !== victim);
    await tn.until(
      () => others.every((n) => n.members().find((m) => m.id === victim.nodeId)?.state === 'dead'),
      15_000,
      'victim dead everywhere',
    );
    const took = performance.now() - t0;
    assert.ok(suspected.length > 0, 'someone suspected the victim before the verdict');
    assert.ok(took < 10_000, `detected in ${took.toFixed(0)} ms`);
    // Topology no longer wants the dead node.
    await tn.until(
      () => others.every((n) => !n.topology()!.desired.includes(victim.nodeId)),
      5000,
      're-wired',
    );
  });

  it('a stopped node leaves gracefully: others record left, not dead', async (t) => {
    const tn = await testnet(t, 5);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 5), 10_000, 'formed');
    const leaver = tn.nodes[4]!;
    const dead: string[] = [];
    for (const n of tn.nodes) n.on('member:dead', (m) => m.id === leaver.nodeId && dead.push(n.nodeId));
    await leaver.stop();
    const rest = tn.nodes.slice(0, 4);
    await tn.until(
      () => rest.every((n) => n.members().find((m) => m.id === leaver.nodeId)?.state === 'left'),
      10_000,
      'left everywhere',
    );
    assert.deepEqual(dead, []);
  });

  it('a node restarted with the same identity and address rejoins, before or after its death was noticed; after a dead verdict, at a higher incarnation', async (t) => {
    const tn = await testnet(t, 5);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 5), 10_000, 'formed');
    const old = tn.nodes[3]!;
    const seen = () => tn.nodes[0]!.members().find((m) => m.id === old.nodeId);
    const before = seen()!.incarnation;
    tn.crash(3);
    // Restart at once: nobody has noticed the crash yet, stale connections still exist.
    const again = await tn.add({ identity: tn.identities[3]!, listen: { host: '10.0.0.4', port: 4433 } });
    const live = tn.nodes.filter((n) => n !== old);
    await tn.until(
      () =>
        live.every((n) => count(n, 'alive') === 5) &&
        live.every(
          (n) =>
            n === again ||
            n.connections().some((p) => p.nodeId === again.nodeId) ||
            !n.topology()!.desired.includes(again.nodeId),
        ),
      15_000,
      'rejoined',
    );
    assert.equal(again.nodeId, old.nodeId);
    assert.ok(seen()!.incarnation >= before);
    // Now crash it for good: once declared dead, the next start must out-rank the verdict.
    tn.crash(tn.nodes.indexOf(again));
    const rest = live.filter((n) => n !== again);
    await tn.until(
      () => rest.every((n) => n.members().find((m) => m.id === old.nodeId)?.state === 'dead'),
      15_000,
      'dead',
    );
    const deadAt = seen()!.incarnation;
    const third = await tn.add({ identity: tn.identities[3]!, listen: { host: '10.0.0.4', port: 4433 } });
    await tn.until(() => rest.every((n) => count(n, 'alive') === 5), 15_000, 'back');
    // Incarnation bumps raise no event of their own: poll.
    await waitFor(
      () => rest.every((n) => (n.members().find((m) => m.id === third.nodeId)?.incarnation ?? -1) > deadAt),
      {
        timeoutMs: 10_000,
        what: 'higher incarnation everywhere',
      },
    );
  });

  it('a node whose bootstrap node starts later keeps trying and joins', async (t) => {
    const tn = await testnet(t, 0);
    const early = await tn.add({ bootstrap: ['10.0.0.2:4433'] }); // node1 does not exist yet
    const seed = await tn.add({ bootstrap: [] });
    await tn.until(() => count(early, 'alive') === 2 && count(seed, 'alive') === 2, 15_000, 'joined late');
  });
});
