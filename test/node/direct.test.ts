// Messaging over routes dials the far node in the background, so later messages take one
// link (the DirectDialer); the topology keeps such connections while they carry traffic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MaculaNode } from '../../src/index.js';
import { count, testnet } from '../helpers/testnet.js';
import { waitFor } from '../helpers/wait.js';

const linked = (a: MaculaNode, b: MaculaNode) => a.connections().some((p) => p.nodeId === b.nodeId);

async function cut(a: MaculaNode, b: MaculaNode): Promise<void> {
  await a.disconnect(b.nodeId, 'test: reach it through routes');
  await waitFor(() => !linked(a, b) && !linked(b, a), { timeoutMs: 10_000, what: 'disconnected' });
}

describe('direct connections for messaging', () => {
  it('a publisher and a caller dial the node they reached through routes; later messages go direct', async (t) => {
    // Subscriber lists cached for the whole test: no DHT read dials the subscriber for us.
    const tn = await testnet(t, 8, {
      topology: { k: 2, longRange: 0 },
      pubsub: { subscriberCacheMs: 600_000 },
    });
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 8), 15_000, 'formed');
    const pub = tn.nodes[0]!;
    const wanted = new Set(pub.topology()!.desired);
    const sub = tn.nodes.find(
      (n) => n !== pub && !wanted.has(n.nodeId) && !n.topology()!.desired.includes(pub.nodeId),
    );
    assert.ok(sub, 'a node neither side keeps a link to');
    const got: number[] = [];
    const s = sub.subscribe<number>('direct.x', (e) => {
      got.push(e.payload);
    });
    await s.ready;
    await sub.register<number, number>('direct.echo', (x) => x + 1);
    await pub.publish('direct.x', 0, { ack: true }); // fills the publisher's subscriber cache
    await cut(pub, sub);

    const before = pub.routes().routed.sent;
    await pub.publish('direct.x', 1, { ack: true }); // routed: nothing else reaches sub
    assert.ok(pub.routes().routed.sent > before, 'the first one went through routes');
    await waitFor(() => linked(pub, sub), { timeoutMs: 10_000, what: 'publisher dialled the subscriber' });
    const mid = pub.routes().routed.sent;
    for (let i = 2; i <= 50; i++) await pub.publish('direct.x', i, { ack: true });
    assert.ok(pub.routes().routed.sent - mid < 5, `direct: ${pub.routes().routed.sent - mid} routed`);
    await waitFor(() => got.length === 51, { timeoutMs: 10_000, what: 'all delivered' });
    assert.deepEqual(
      got,
      Array.from({ length: 51 }, (_, i) => i),
    );

    // The same for RPC.
    await cut(pub, sub);
    assert.equal(await pub.call('direct.echo', 1, { provider: sub.nodeId }), 2);
    await waitFor(() => linked(pub, sub), { timeoutMs: 10_000, what: 'caller dialled the provider' });
    const before2 = pub.routes().routed.sent;
    for (let i = 0; i < 50; i++)
      assert.equal(await pub.call('direct.echo', i, { provider: sub.nodeId }), i + 1);
    assert.ok(pub.routes().routed.sent - before2 < 5, 'calls on the channel');
  });
});
