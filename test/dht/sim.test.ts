// The DHT on 200 simulated nodes (virtual clock, real signatures, every message through
// MessagePack): replication to the closest nodes, gets from anywhere, churn, forgeries.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type DhtRecord, dhtKey, encodeRecord, signRecord, storeRequest } from '../../src/dht/index.js';
import { compareDistance, idKey } from '../../src/routing/index.js';
import { REALM } from './fixtures.js';
import { DhtSim, type SimNode } from './sim.js';

const N = 200;
const TOPIC = 'topic/sensors/temperature';
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** How many of `nodes` hold a live record of `owner` under `appKey` in their own store. */
function holders(nodes: SimNode[], appKey: string, owner: string): number {
  return nodes.filter((n) => n.dht.store.get(dhtKey(appKey)).some((r) => r.owner === owner)).length;
}

describe(`DHT simulation, ${N} nodes`, () => {
  let sim: DhtSim;
  let publisher: SimNode;
  const figures: Record<string, number> = {};

  before(async () => {
    sim = await DhtSim.build({ nodes: N, seed: Number(process.env.DHT_SIM_SEED ?? 42) });
    publisher = sim.pick();
  });

  it('a put reaches the replicas closest to the key', async () => {
    const m0 = sim.total();
    const s0 = sim.messages.store;
    const b0 = sim.bytes.store;
    const t0 = sim.clock.now();
    const put = await sim.drive(publisher.dht.put(TOPIC, enc('subscriber at 10.0.0.1')));
    figures.putMs = sim.clock.now() - t0;
    figures.putMessages = sim.total() - m0;
    figures.putStoreMessages = sim.messages.store - s0;
    figures.putStoreBytes = sim.bytes.store - b0;
    assert.equal(put.key, dhtKey(TOPIC));
    assert.equal(put.stored, 20);
    const truth = sim.closestLive(TOPIC, 20);
    assert.equal(holders(truth, TOPIC, publisher.me.id), 20, 'every one of the 20 closest nodes holds it');
    assert.equal(holders(sim.nodes, TOPIC, publisher.me.id), 20, 'and nobody else');
  });

  it('a get from 20 random other nodes finds it, verified', async () => {
    const m0 = sim.total();
    const f0 = sim.messages.findValue;
    const askers = Array.from({ length: 20 }, () => sim.pick(new Set([publisher.me.id])));
    const found = await sim.drive(Promise.all(askers.map((n) => n.dht.get(TOPIC))));
    figures.getMessages = (sim.total() - m0) / askers.length;
    figures.getFindValueMessages = (sim.messages.findValue - f0) / askers.length;
    for (const rs of found) {
      assert.equal(rs.length, 1);
      assert.equal(rs[0]!.owner, publisher.me.id);
      assert.equal(dec(rs[0]!.value), 'subscriber at 10.0.0.1');
    }
  });

  it('a key holds one record per owner: 10 subscribers of one topic are all found', async () => {
    const subs = new Set<string>([publisher.me.id]);
    while (subs.size < 11) subs.add(sim.pick().me.id);
    const others = [...subs].filter((id) => id !== publisher.me.id).map((id) => sim.byId.get(id)!);
    await sim.drive(Promise.all(others.map((n) => n.dht.put(TOPIC, enc(`sub ${n.me.id.slice(0, 8)}`)))));
    const fb = sim.bytes.findValue;
    const fm = sim.messages.findValue;
    const rs = await sim.drive(sim.pick().dht.get(TOPIC));
    figures.findValueBytesPerMessage11Records = Math.round(
      (sim.bytes.findValue - fb) / (sim.messages.findValue - fm),
    );
    assert.deepEqual(
      rs.map((r) => r.owner),
      [...subs].sort(),
    );
  });

  it('a new node closest to the key receives its records by hand-off when it joins', async () => {
    // Grind an identity closer to the key than every live node (ids derive from keys).
    const t = idKey(dhtKey(TOPIC));
    const nearest = idKey(sim.closestLive(TOPIC, 1)[0]!.me.id);
    let me = sim.identity();
    while (compareDistance(idKey(me.id), nearest, t) >= 0) me = sim.identity();
    const sum = (f: (n: SimNode) => number) => sim.nodes.reduce((s, n) => s + f(n), 0);
    const republished = sum((n) => n.dht.stats().republished);
    const handoffs = sum((n) => n.dht.stats().handoffs);
    const newcomer = sim.add(me);
    newcomer.dht.start();
    await sim.drive(sim.join(newcomer, sim.pick(new Set([me.id]))));
    await sim.clock.advance(5_000); // hand-offs run in the background
    await sim.drive(Promise.all(sim.nodes.map((n) => n.dht.idle())));
    assert.equal(holders([newcomer], TOPIC, publisher.me.id), 1);
    assert.equal(newcomer.dht.store.get(dhtKey(TOPIC)).length, 11);
    assert.equal(
      sum((n) => n.dht.stats().republished),
      republished,
      'no republish yet',
    );
    // Only the nodes closest to the key (handoffSenders = 2, as each sees it) pushed.
    figures.handoffsToNewcomer = sum((n) => n.dht.stats().handoffs) - handoffs;
    assert.ok(figures.handoffsToNewcomer >= 1 && figures.handoffsToNewcomer <= 4, JSON.stringify(figures));
  });

  it('after 10 % of the nodes die (a third of the replicas among them), republish restores the replicas and gets succeed', async () => {
    const replicas = sim.closestLive(TOPIC, 20);
    const victims = new Set(replicas.filter((_, i) => i % 3 === 0).map((n) => n.me.id)); // 7 replicas
    victims.delete(publisher.me.id);
    while (victims.size < Math.floor(sim.nodes.length / 10))
      victims.add(sim.pick(new Set([publisher.me.id])).me.id);
    sim.kill([...victims].map((id) => sim.byId.get(id)!)); // membership makes the others forget them in 15 s
    // Owners republish every ttl/2 (30 min for the default 1 h): the records move to the new closest nodes.
    await sim.clock.advance(31 * 60_000);
    await sim.drive(Promise.all(sim.live().map((n) => n.dht.idle())));
    const truth = sim.closestLive(TOPIC, 20);
    figures.holdersAfterChurn = holders(truth, TOPIC, publisher.me.id);
    assert.ok(
      holders(truth, TOPIC, publisher.me.id) >= 19,
      `holders ${holders(truth, TOPIC, publisher.me.id)}`,
    );
    const askers = Array.from({ length: 20 }, () => sim.pick());
    const found = await sim.drive(Promise.all(askers.map((n) => n.dht.get(TOPIC))));
    for (const rs of found) assert.ok(rs.some((r) => r.owner === publisher.me.id));
    const live = sim.live();
    figures.republished = live.reduce((s, n) => s + n.dht.stats().republished, 0);
    figures.republishFailures = live.reduce((s, n) => s + n.dht.stats().republishFailures, 0);
  });

  it('rejects and counts forged records stored directly, and drops a lying node’s answer', async () => {
    const replica = sim.closestLive(TOPIC, 1)[0]!;
    const mallory = sim.identity();
    const genuine = replica.dht.store.get(dhtKey(TOPIC)).find((r) => r.owner === publisher.me.id)!;
    const base = {
      key: dhtKey(TOPIC),
      value: enc('evil'),
      seq: genuine.seq + 1,
      issuedAt: genuine.issuedAt,
      ttlMs: genuine.ttlMs,
    };
    const signedByMallory = signRecord(mallory.signer, REALM, base);
    const claimsPublisher: DhtRecord = { ...signedByMallory, owner: publisher.me.id };
    const withPublisherKey: DhtRecord = { ...claimsPublisher, ownerKey: genuine.ownerKey };
    const before = replica.dht.stats().store.rejected;
    const reply = replica.dht.handleStore(
      mallory.id,
      storeRequest([claimsPublisher, withPublisherKey].map(encodeRecord)),
    ) as { results: string[] };
    assert.deepEqual(reply.results, ['WRONG_OWNER_KEY', 'BAD_SIGNATURE']);
    const after = replica.dht.stats().store.rejected;
    assert.equal((after.WRONG_OWNER_KEY ?? 0) - (before.WRONG_OWNER_KEY ?? 0), 1);
    assert.equal((after.BAD_SIGNATURE ?? 0) - (before.BAD_SIGNATURE ?? 0), 1);
    assert.throws(() => replica.dht.handleStore(mallory.id, { records: 'nope' }), { code: 'INVALID_RECORD' });

    // Every node a get asks lies: forged copies of the publisher's record plus garbage.
    const closest = sim.closestLive(TOPIC, 20);
    for (const n of closest) {
      n.lie = () => ({
        records: [encodeRecord(withPublisherKey), [1, 2, 3], encodeRecord(claimsPublisher)],
        contacts: 'x',
      });
    }
    const asker = sim.pick(new Set(closest.map((n) => n.me.id)));
    const rs = await sim.drive(asker.dht.get(TOPIC));
    assert.equal(rs.length, 0, 'nothing forged is ever returned');
    const dropped = asker.dht.stats().dropped;
    assert.ok(
      (dropped.BAD_SIGNATURE ?? 0) >= 3 && (dropped.WRONG_OWNER_KEY ?? 0) >= 3,
      JSON.stringify(dropped),
    );
    assert.ok((dropped.INVALID_RECORD ?? 0) >= 3, JSON.stringify(dropped));
    for (const n of closest) n.lie = undefined;
    const ok = await sim.drive(asker.dht.get(TOPIC));
    assert.ok(ok.some((r) => r.owner === publisher.me.id && dec(r.value) === 'subscriber at 10.0.0.1'));
  });

  it('remove hides the record everywhere', async () => {
    await sim.drive(publisher.dht.remove(TOPIC));
    const askers = Array.from({ length: 10 }, () => sim.pick());
    const found = await sim.drive(Promise.all(askers.map((n) => n.dht.get(TOPIC))));
    for (const rs of found) {
      assert.ok(!rs.some((r) => r.owner === publisher.me.id));
      assert.equal(rs.length, 10);
    }
    assert.equal(publisher.dht.stats().owned, 0);
  });

  it('reports its figures', (t) => {
    t.diagnostic(JSON.stringify({ nodes: N, ...figures, bytes: sim.bytes, messages: sim.messages }));
    for (const n of sim.nodes) n.dht.stop();
  });
});
