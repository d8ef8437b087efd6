// Routing over real QUIC on loopback: a routed send along a 5-node chain, and a 5-node
// mesh (membership on) where every node reaches every other's mailbox.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { createNode, type MaculaNode, type NodeOptions } from '../../src/node/index.js';
import { compareDistance, idKey } from '../../src/routing/index.js';
import { generateIdentity } from '../../src/security/index.js';

const REALM = 'org.example.quic';

async function quicNodes(
  t: TestContext,
  n: number,
  extra: (i: number, first?: MaculaNode) => Partial<NodeOptions>,
) {
  const nodes: MaculaNode[] = [];
  for (let i = 0; i < n; i++) {
    const node = createNode({
      identity: await generateIdentity(REALM),
      name: `q${i}`,
      listen: { host: '127.0.0.1', port: 0 },
      ...extra(i, nodes[0]),
    });
    t.after(() => node.stop());
    await node.start();
    nodes.push(node);
  }
  return nodes;
}

describe('routing over QUIC', () => {
  it('a routed send across a 5-node chain arrives intact', async (t) => {
    const nodes = await quicNodes(t, 5, () => ({ membership: false, routing: { dialOnDemand: false } }));
    const dest = nodes[4]!;
    const t0 = idKey(dest.nodeId);
    // Farthest from the destination first, so every hop is XOR-closer (greedy routing).
    const chain = [
      ...nodes.slice(0, 4).sort((a, b) => compareDistance(idKey(b.nodeId), idKey(a.nodeId), t0)),
      dest,
    ];
    for (let i = 0; i < 4; i++) await chain[i]!.connect(chain[i + 1]!.address);
    const inbox = dest.mailbox<Uint8Array>('inbox');
    const payload = new Uint8Array(256 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff;
    const r = await chain[0]!.send(dest.nodeId, 'inbox', payload, { recordPath: true, timeoutMs: 20_000 });
    assert.equal(r.hops, 3);
    assert.deepEqual(
      r.path,
      chain.slice(0, 4).map((n) => n.nodeId),
    );
    const m = (await inbox[Symbol.asyncIterator]().next()).value!;
    assert.equal(m.from, chain[0]!.nodeId);
    assert.equal(
      createHash('sha256').update(m.payload).digest('hex'),
      createHash('sha256').update(payload).digest('hex'),
    );
    // No shortcut was taken: the ends are still not connected.
    assert.ok(!chain[0]!.connections().some((p) => p.nodeId === dest.nodeId));
  });

  it('in a 5-node QUIC mesh every node reaches every other mailbox finds the closest nodes and shares DHT records', async (t) => {
    const nodes = await quicNodes(t, 5, (_i, first) => ({
      bootstrap: first ? [`${first.address.host}:${first.address.port}`] : [],
    }));
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise<void>((resolve) => {
            const check = () => n.members().filter((m) => m.state === 'alive').length === 5 && resolve();
            n.on('member:join', check);
            n.on('member:alive', check);
            check();
          }),
      ),
    );
    const got = new Map<string, string[]>();
    for (const n of nodes) {
      const from: string[] = [];
      got.set(n.nodeId, from);
      n.mailbox<string>('inbox', (m) => {
        from.push(m.payload);
      });
    }
    await Promise.all(
      nodes.flatMap((a) => nodes.filter((b) => b !== a).map((b) => a.send(b.nodeId, 'inbox', a.nodeId))),
    );
    for (const n of nodes) {
      assert.deepEqual(
        got.get(n.nodeId)!.sort(),
        nodes
          .filter((x) => x !== n)
          .map((x) => x.nodeId)
          .sort(),
      );
    }
    const r = await nodes[0]!.lookup(nodes[3]!.nodeId);
    assert.equal(r.closest[0]!.id, nodes[3]!.nodeId);
    // The DHT over QUIC: a record put by one node is read by another.
    await nodes[1]!.dht.put('procedure:echo', Uint8Array.of(1, 2, 3));
    const recs = await nodes[4]!.dht.get('procedure:echo');
    assert.deepEqual(
      recs.map((x) => [x.owner, [...x.value]]),
      [[nodes[1]!.nodeId, [1, 2, 3]]],
    );
  });
});
