// createNode over the in-memory network (real time): peers, duplicates, CA mode, lifecycle.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createNode, type MaculaNode, type NodeEvents } from '../../src/node/index.js';
import { systemClock } from '../../src/runtime/index.js';
import {
  createRealmCa,
  generateIdentity,
  issueNodeCertificate,
  type NodeIdentity,
} from '../../src/security/index.js';
import { MemoryNetwork } from '../../src/transport/index.js';
import { waitFor } from '../helpers/wait.js';

const REALM = 'org.example.mesh';

async function node(
  t: TestContext,
  net: MemoryNetwork,
  host: string,
  id: NodeIdentity,
  extra: { name?: string } = {},
): Promise<MaculaNode> {
  const n = createNode({
    identity: id,
    transport: net.transport(),
    listen: { host, port: 4433 },
    ...extra,
  });
  await n.start();
  t.after(() => n.stop());
  return n;
}

function collect<K extends keyof NodeEvents>(n: MaculaNode, event: K): NodeEvents[K][] {
  const seen: NodeEvents[K][] = [];
  n.on(event, (e) => seen.push(e));
  return seen;
}

describe('MaculaNode', () => {
  it('two nodes connect; each lists the other with state, address and RTT', async (t) => {
    const net = new MemoryNetwork({ clock: systemClock });
    const a = await node(t, net, '10.0.0.1', await generateIdentity(REALM), { name: 'alpha' });
    const b = await node(t, net, '10.0.0.2', await generateIdentity(REALM), { name: 'beta' });
    const connectedOnB = collect(b, 'peer:connected');
    const peer = await a.connect(b.address, { timeoutMs: 5000 });
    assert.equal(peer.nodeId, b.nodeId);
    assert.equal(peer.name, 'beta');
    assert.equal(peer.direction, 'outbound');
    await waitFor(() => connectedOnB.length === 1, { timeoutMs: 2000, what: 'inbound peer on b' });
    assert.equal(connectedOnB[0]!.nodeId, a.nodeId);
    assert.equal(connectedOnB[0]!.name, 'alpha');
    const [onA] = a.connections();
    assert.equal(onA?.state, 'connected');
    assert.equal(onA?.address.host, '10.0.0.2');
    assert.ok((onA?.rttMs ?? -1) >= 0);
    const s = a.stats();
    assert.equal(s.activeConnections, 1);
    assert.ok(s.bytesSent > 0 && s.bytesReceived > 0);
    // The handshake: our hello and proof out, the peer's hello and proof in.
    assert.equal(s.messagesSent, 2);
    assert.equal(s.messagesReceived, 2);
    assert.equal(a.version, '0.1.0');
  });

  it('simultaneous dials keep exactly one connection, the same one on both sides', async (t) => {
    const net = new MemoryNetwork({ clock: systemClock, latencyMs: 5 });
    const a = await node(t, net, '10.0.1.1', await generateIdentity(REALM));
    const b = await node(t, net, '10.0.1.2', await generateIdentity(REALM));
    const disconnects = [...collect(a, 'peer:disconnected'), ...collect(b, 'peer:disconnected')];
    const settled = Promise.allSettled([a.connect(b.address), b.connect(a.address)]);
    // Both sides converge on the connection dialed by the smaller node id.
    const dialer = a.nodeId < b.nodeId ? a : b;
    const other = dialer === a ? b : a;
    await waitFor(
      () =>
        dialer.connections().length === 1 &&
        other.connections().length === 1 &&
        dialer.connections()[0]?.direction === 'outbound' &&
        other.connections()[0]?.direction === 'inbound',
      { timeoutMs: 3000, what: 'one shared connection' },
    );
    // Both connect() calls resolve to the peer, even the one whose connection lost the tie-break.
    const results = await settled;
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value.nodeId : String(r.reason))),
      [b.nodeId, a.nodeId],
    );
    assert.equal(disconnects.length, 0, 'no spurious peer:disconnected while converging');
  });

  it('in CA mode, a node whose certificate comes from another CA is refused on both sides', async (t) => {
    const net = new MemoryNetwork({ clock: systemClock });
    const ca = await createRealmCa(REALM);
    const otherCa = await createRealmCa(REALM);
    // issueNodeCertificate puts the CA in the identity: CA mode without another option.
    const a = await node(t, net, '10.0.2.1', await issueNodeCertificate(ca, REALM));
    const intruder = await node(t, net, '10.0.2.2', await issueNodeCertificate(otherCa, REALM));
    const refusedOnA = collect(a, 'peer:refused');
    const refusedOnIntruder = collect(intruder, 'peer:refused');
    await assert.rejects(intruder.connect(a.address, { timeoutMs: 5000 }), { code: 'TLS_REJECTED' });
    await waitFor(() => refusedOnA.length + refusedOnIntruder.length >= 1, {
      timeoutMs: 2000,
      what: 'refusal',
    });
    assert.equal(a.connections().length, 0);
    assert.equal(intruder.connections().length, 0);
    // Whoever checked first refused; the other side heard it from the peer.
    const all = [...refusedOnA, ...refusedOnIntruder];
    assert.ok(all.some((r) => r.by === 'us'));
  });

  it('a node of another realm is refused, and both nodes say which realms', async (t) => {
    const net = new MemoryNetwork({ clock: systemClock });
    const a = await node(t, net, '10.0.3.1', await generateIdentity(REALM));
    const b = await node(t, net, '10.0.3.2', await generateIdentity('org.other.mesh'));
    const refusedOnA = collect(a, 'peer:refused');
    const refusedOnB = collect(b, 'peer:refused');
    await assert.rejects(b.connect(a.address, { timeoutMs: 5000 }), { code: 'TLS_REJECTED' });
    await waitFor(() => refusedOnA.length >= 1 && refusedOnB.length >= 1, {
      timeoutMs: 2000,
      what: 'both sides',
    });
    for (const r of [...refusedOnA, ...refusedOnB]) assert.match(r.reason, /org\.other\.mesh/);
  });

  it('start and stop are idempotent; a stopped node reports its peers gone', async (t) => {
    const net = new MemoryNetwork({ clock: systemClock });
    const a = await node(t, net, '10.0.4.1', await generateIdentity(REALM));
    const b = await node(t, net, '10.0.4.2', await generateIdentity(REALM));
    await Promise.all([a.start(), a.start()]);
    const gone = collect(b, 'peer:disconnected');
    await a.connect(b.address);
    await Promise.all([a.stop(), a.stop()]);
    await waitFor(() => gone.length === 1, { timeoutMs: 2000, what: 'peer:disconnected on b' });
    assert.equal(gone[0]!.nodeId, a.nodeId);
    assert.equal(b.connections().length, 0);
    await assert.rejects(a.connect(b.address), /not running/);
  });
});
