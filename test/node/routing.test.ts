// Routing across full nodes on the in-memory network: table fed by membership, lookups,
// mailboxes and sends (direct and routed), typed errors, monitors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRecordSigner, dhtKey, encodeRecord, signRecord, storeRequest } from '../../src/dht/index.js';
import { MailboxError } from '../../src/mailbox/index.js';
import type { MaculaNode } from '../../src/node/index.js';
import { FrameType } from '../../src/protocol/index.js';
import { compareDistance, idKey, RoutingError } from '../../src/routing/index.js';
import { count, REALM, testnet } from '../helpers/testnet.js';

/** Node ids sorted by XOR distance to `target`, nearest first. */
function byDistance(ids: string[], target: string): string[] {
  const t = idKey(target);
  return [...ids].sort((a, b) => compareDistance(idKey(a), idKey(b), t));
}

/** Connects `chain[i]` to `chain[i + 1]` only (nodes without membership). */
async function wireChain(chain: MaculaNode[]): Promise<void> {
  for (let i = 0; i + 1 < chain.length; i++) await chain[i]!.connect(chain[i + 1]!.address);
}

describe('routing on full nodes', () => {
  it('membership fills every routing table; lookups find the true closest nodes', async (t) => {
    const tn = await testnet(t, 10);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 10), 10_000, 'formed');
    for (const n of tn.nodes)
      assert.equal(n.routes().table.size, 9, `${n.nodeId.slice(0, 8)} knows the 9 others`);
    const target = 'ab'.repeat(32);
    const truth = byDistance(
      tn.nodes.map((n) => n.nodeId),
      target,
    ).filter((id) => id !== tn.nodes[3]!.nodeId);
    const r = await tn.nodes[3]!.lookup(target, { k: 3 });
    assert.deepEqual(
      r.closest.map((c) => c.id),
      truth.slice(0, 3),
    );
    const events: string[] = [];
    for await (const e of tn.nodes[5]!.lookupEvents(target)) events.push(e.type);
    assert.equal(events.at(-1), 'done');
    assert.ok(events.includes('query') && events.includes('response'));
    await assert.rejects(
      tn.nodes[0]!.lookup('not-an-id'),
      (e: unknown) => e instanceof RoutingError && e.code === 'INVALID_ID',
    );
    const summary = tn.nodes[0]!.routes();
    assert.equal(
      summary.buckets.reduce((a, b) => a + b.size, 0),
      9,
    );
    assert.ok(summary.lookups.rejected['invalid-id']! >= 1);
  });

  it('send delivers to a named mailbox, intact, with the sender authenticated', async (t) => {
    const tn = await testnet(t, 3);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 3), 10_000, 'formed');
    const [a, b] = [tn.nodes[0]!, tn.nodes[2]!];
    const inbox = b.mailbox<{ text: string; bytes: Uint8Array }>('inbox');
    const payload = { text: 'hello', bytes: Uint8Array.from([0, 1, 254, 255]) };
    const receipt = await a.send(b.nodeId, 'inbox', payload);
    assert.ok(receipt.hops >= 0);
    const it = inbox[Symbol.asyncIterator]();
    const m = (await it.next()).value!;
    assert.equal(m.from, a.nodeId);
    assert.equal(m.mailbox, 'inbox');
    assert.deepEqual(m.payload.text, 'hello');
    assert.deepEqual(Uint8Array.from(m.payload.bytes), payload.bytes);
    // Handler mode, and a node sending to itself.
    const seen: unknown[] = [];
    b.mailbox('echo', (msg) => {
      seen.push(msg.payload);
    });
    await a.send(b.nodeId, 'echo', 1);
    await b.send(b.nodeId, 'echo', 2);
    assert.deepEqual(seen, [1, 2]);
  });

  it('destination errors come back typed; bad input is refused locally', async (t) => {
    const tn = await testnet(t, 2);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 2), 10_000, 'formed');
    const [a, b] = [tn.nodes[0]!, tn.nodes[1]!];
    const code = (c: string) => (e: unknown) => e instanceof MailboxError && e.code === c;
    await assert.rejects(a.send(b.nodeId, 'nobody', 1), code('NO_MAILBOX'));
    b.mailbox('tiny', undefined, { capacity: 1 });
    await a.send(b.nodeId, 'tiny', 1);
    await assert.rejects(a.send(b.nodeId, 'tiny', 2), code('MAILBOX_FULL'));
    b.mailbox('grumpy', () => {
      throw new Error('not today');
    });
    await assert.rejects(
      a.send(b.nodeId, 'grumpy', 1),
      (e: unknown) => code('HANDLER_FAILED')(e) && /not today/.test((e as Error).message),
    );
    await assert.rejects(a.send(b.nodeId, 'bad name', 1), code('INVALID_NAME'));
    assert.throws(() => b.mailbox('tiny'), code('ALREADY_REGISTERED'));
    await assert.rejects(
      a.send('xyz', 'inbox', 1),
      (e: unknown) => e instanceof RoutingError && e.code === 'INVALID_ID',
    );
    // Every refusal was counted by the destination; the node still works.
    const stats = b.routes().routed;
    assert.equal(stats.rejected.NO_MAILBOX, 1);
    assert.equal(stats.rejected.MAILBOX_FULL, 1);
    const ok = b.mailbox('after');
    await a.send(b.nodeId, 'after', 'still fine');
    assert.equal((await ok[Symbol.asyncIterator]().next()).value!.payload, 'still fine');
  });

  it('routes hop by hop along a chain of nodes with no direct connection', async (t) => {
    const tn = await testnet(t, 5, { membership: false, routing: { dialOnDemand: false } });
    const dest = tn.nodes[4]!;
    // Order the others so each hop is XOR-closer to the destination: greedy routing works.
    const order = byDistance(
      tn.nodes.slice(0, 4).map((n) => n.nodeId),
      dest.nodeId,
    ).reverse();
    const chain = [...order.map((id) => tn.nodes.find((n) => n.nodeId === id)!), dest];
    await wireChain(chain);
    const inbox = dest.mailbox('inbox');
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    const r = await chain[0]!.send(dest.nodeId, 'inbox', big, { recordPath: true });
    assert.equal(r.hops, 3);
    assert.deepEqual(
      r.path,
      chain.slice(0, 4).map((n) => n.nodeId),
    );
    const m = (await inbox[Symbol.asyncIterator]().next()).value!;
    assert.equal(m.from, chain[0]!.nodeId);
    assert.equal(m.hops, 3);
    assert.deepEqual(Uint8Array.from(m.payload as Uint8Array), big);
    // A hop limit too small for the route is reported by the hop that ran out.
    await assert.rejects(
      chain[0]!.send(dest.nodeId, 'inbox', 1, { hopLimit: 2 }),
      (e: unknown) => e instanceof RoutingError && e.code === 'HOP_LIMIT',
    );
    // An id nobody has: the message goes as far as greedy routing can, then NO_ROUTE.
    await assert.rejects(
      chain[0]!.send('ef'.repeat(32), 'inbox', 1),
      (e: unknown) => e instanceof RoutingError && e.code === 'NO_ROUTE',
    );
    // Back along the chain: greedy may get stuck, a recorded path lets it detour.
    chain[0]!.mailbox('inbox');
    const back = await dest.send(chain[0]!.nodeId, 'inbox', 'back', { recordPath: true });
    assert.equal(back.hops, 3);
  });

  it('monitor reports a crashed node as dead and a stopped one as left', async (t) => {
    const tn = await testnet(t, 5);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 5), 10_000, 'formed');
    const a = tn.nodes[0]!;
    const crashed = a.monitor(tn.nodes[3]!.nodeId);
    const stopped = a.monitor(tn.nodes[4]!.nodeId);
    const ctl = new AbortController();
    const cancelled = a.monitor(tn.nodes[2]!.nodeId, { signal: ctl.signal });
    ctl.abort();
    await assert.rejects(cancelled, { code: 'ABORTED' });
    tn.crash(3);
    await tn.nodes[4]!.stop();
    assert.deepEqual(await crashed, { nodeId: tn.nodes[3]!.nodeId, reason: 'dead' });
    assert.deepEqual(await stopped, { nodeId: tn.nodes[4]!.nodeId, reason: 'left' });
    assert.equal((await a.monitor(tn.nodes[3]!.nodeId)).reason, 'dead');
    assert.equal((await a.monitor('ef'.repeat(32))).reason, 'unknown');
    // Routing forgot them too.
    assert.equal(a.routes().table.size, 2);
  });
});

describe('DHT on full nodes', () => {
  it('records put by several owners are found from every node; remove hides one; forged stores are refused', async (t) => {
    const tn = await testnet(t, 6);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 6), 10_000, 'formed');
    const [a, b, c] = [tn.nodes[0]!, tn.nodes[1]!, tn.nodes[2]!];
    const put = await a.dht.put('topic:hello.world', new TextEncoder().encode('from a'));
    assert.ok(put.stored >= 1);
    await b.dht.put('topic:hello.world', new TextEncoder().encode('from b'));
    for (const n of tn.nodes) {
      const recs = await n.dht.get('topic:hello.world');
      assert.deepEqual(
        recs.map((r) => [r.owner, new TextDecoder().decode(r.value)]).sort(),
        [
          [a.nodeId, 'from a'],
          [b.nodeId, 'from b'],
        ].sort(),
        `seen from ${n.nodeId.slice(0, 8)}`,
      );
    }
    assert.deepEqual(await c.dht.get('nothing here'), []);
    await a.dht.remove('topic:hello.world');
    const after = await tn.nodes[5]!.dht.get('topic:hello.world');
    assert.deepEqual(
      after.map((r) => r.owner),
      [b.nodeId],
    );
    // A peer storing a record in another node's name, or garbage: refused, counted, nothing changes.
    const signer = createRecordSigner(tn.identities[2]!.key);
    const key = dhtKey('topic:hello.world');
    const mine = signRecord(signer, REALM, {
      key,
      value: Uint8Array.of(1),
      seq: Date.now(),
      issuedAt: Date.now(),
      ttlMs: 60_000,
    });
    const inA = { ...mine, owner: a.nodeId }; // claims to be a's record
    const tampered = { ...mine, value: Uint8Array.of(2) };
    const internals = c as unknown as {
      streams: { request(conn: unknown, type: number, payload: unknown): Promise<unknown> };
      peers: { connection(id: string): unknown };
    };
    await c.connect(b.address);
    const conn = internals.peers.connection(b.nodeId);
    const reply = await internals.streams.request(
      conn,
      FrameType.DHT_STORE,
      storeRequest([encodeRecord(inA), encodeRecord(tampered)]),
    );
    assert.deepEqual((reply as { results: string[] }).results, ['WRONG_OWNER_KEY', 'BAD_SIGNATURE']);
    await assert.rejects(internals.streams.request(conn, FrameType.DHT_STORE, { records: 'nope' }));
    const rejected = b.dht.stats().store.rejected;
    assert.equal(rejected.WRONG_OWNER_KEY, 1);
    assert.equal(rejected.BAD_SIGNATURE, 1);
    assert.deepEqual(
      (await c.dht.get('topic:hello.world')).map((r) => r.owner),
      [b.nodeId],
    );
  });
});
