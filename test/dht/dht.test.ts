import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortError, InvalidArgumentError, type MaculaError, TimeoutError } from '../../src/core/index.js';
import { Dht, DhtError, type DhtNet, type DhtOptions, dhtKey } from '../../src/dht/index.js';
import { type Contact, LookupService, RoutingTable } from '../../src/routing/index.js';
import { toAbortError, VirtualClock } from '../../src/runtime/index.js';
import { hexWithPrefix, identity, REALM, T0 } from './fixtures.js';
import { DhtSim, type SimNode } from './sim.js';

const enc = (s: string) => new TextEncoder().encode(s);
const MIN = 60_000;

/** A DhtNet whose requests hang until aborted (counts them). */
class HangingNet implements DhtNet {
  sent = 0;
  private wait(signal: AbortSignal | undefined): Promise<never> {
    this.sent++;
    return new Promise((_, reject) =>
      signal?.addEventListener('abort', () => reject(toAbortError(signal.reason))),
    );
  }
  store(_to: Contact, _r: unknown, o: { signal?: AbortSignal }) {
    return this.wait(o.signal);
  }
  findValue(_to: Contact, _k: string, o: { signal?: AbortSignal }) {
    return this.wait(o.signal);
  }
}

/** A node with no peers (every lookup finds nobody, so it is the only replica). */
function lone(over: Partial<DhtOptions> = {}) {
  const clock = new VirtualClock();
  const me = identity();
  const table = new RoutingTable({ selfId: me.id, clock });
  const lookup = new LookupService({
    table,
    clock,
    net: { findNode: () => Promise.reject(new Error('down')) },
  });
  const net = new HangingNet();
  const dht = new Dht({
    selfId: me.id,
    realm: REALM,
    identityKey: me.privateKey,
    table,
    lookup,
    net,
    clock,
    wallClock: () => T0 + clock.now(),
    ...over,
  });
  return { clock, me, table, net, dht };
}

const sum = (nodes: SimNode[], f: (n: SimNode) => number) => nodes.reduce((s, n) => s + f(n), 0);

describe('dht service', () => {
  it('checks its options', () => {
    const { me, table, clock } = lone();
    const lookup = new LookupService({ table, clock, net: { findNode: () => Promise.resolve([]) } });
    const base = {
      selfId: me.id,
      realm: REALM,
      identityKey: me.privateKey,
      table,
      lookup,
      net: new HangingNet(),
      clock,
    };
    assert.throws(() => new Dht({ ...base, selfId: identity().id }), InvalidArgumentError);
    assert.throws(() => new Dht({ ...base, realm: 'Not A Realm' }), { code: 'INVALID_REALM' });
    assert.throws(() => new Dht({ ...base, replicas: 0 }), InvalidArgumentError);
  });

  it('alone, it is the only replica: put stores locally, get finds it', async () => {
    const { dht } = lone();
    const put = await dht.put('topic/a', enc('x'));
    assert.deepEqual(put, { key: dhtKey('topic/a'), stored: 1 });
    const rs = await dht.get('topic/a');
    assert.equal(rs.length, 1);
    assert.equal(new TextDecoder().decode(rs[0]!.value), 'x');
    assert.equal(dht.stats().owned, 1);
    assert.deepEqual(await dht.get('topic/b'), []);
  });

  it('rejects bad puts with a typed error before sending anything', async () => {
    const { dht, net } = lone({ limits: { maxRecordsPerOwner: 1 } });
    await assert.rejects(dht.put('', enc('x')), { code: 'INVALID_KEY' });
    await assert.rejects(dht.put('k', new Uint8Array(4097)), { code: 'TOO_LARGE' });
    await assert.rejects(dht.put('k', enc('x'), { ttlMs: 0 }), { code: 'INVALID_RECORD' });
    await assert.rejects(dht.put('k', enc('x'), { ttlMs: 25 * 60 * MIN }), { code: 'INVALID_RECORD' });
    await dht.put('k', enc('x'));
    await dht.put('k', enc('y')); // the same key again is a new version, not a new record
    await assert.rejects(dht.put('k2', enc('x')), { code: 'QUOTA' });
    assert.equal(net.sent, 0);
    assert.equal(dht.stats().putFailures, 5);
  });

  it('PUT_FAILED, with the causes, when no node accepts the record', async () => {
    const { dht } = lone({ limits: { maxRecords: 0 } });
    await assert.rejects(dht.put('topic/a', enc('x')), (err: unknown) => {
      assert.ok(err instanceof DhtError && err.code === 'PUT_FAILED');
      const cause = err.cause as AggregateError;
      assert.deepEqual(
        cause.errors.map((e: MaculaError) => e.code),
        ['STORE_FULL'],
      );
      return true;
    });
    assert.equal(dht.stats().owned, 0, 'a failed put is not republished');
  });

  it('a get that no node answers is GET_FAILED, not an empty key; one answer is enough', async () => {
    const sim = await DhtSim.build({ nodes: 8, seed: 3 });
    const asker = sim.nodes[0]!;
    for (const n of sim.nodes.slice(1)) n.alive = false;
    await assert.rejects(sim.drive(asker.dht.get('topic/a')), (err: unknown) => {
      assert.ok(err instanceof DhtError && err.code === 'GET_FAILED', String(err));
      return true;
    });
    sim.nodes[5]!.alive = true;
    assert.deepEqual(await sim.drive(asker.dht.get('topic/a')), [], 'an answer of nothing is an empty key');
    for (const n of sim.nodes) n.dht.stop();
  });

  it('honours abort and timeouts', async () => {
    const { dht } = lone();
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(dht.get('topic/a', { signal: ctl.signal }), AbortError);
    await assert.rejects(dht.put('topic/a', enc('x'), { signal: ctl.signal }), AbortError);
    // A network that never answers: the caller's deadline ends the get.
    const sim = await DhtSim.build({ nodes: 8, seed: 3 });
    for (const n of sim.nodes.slice(1)) n.alive = false;
    const p = sim.nodes[0]!.dht.get('topic/a', { timeoutMs: 300 });
    await assert.rejects(sim.drive(p), TimeoutError);
    for (const n of sim.nodes) n.dht.stop();
  });

  it('serves only well-formed requests, and counts the rest', () => {
    const { dht } = lone();
    const from = identity().id;
    assert.throws(() => dht.handleStore(from, null), DhtError);
    assert.throws(() => dht.handleStore(from, { records: new Array(65).fill(0) }), { code: 'TOO_LARGE' });
    assert.deepEqual(dht.handleStore(from, { records: [[1], 'x'] }), {
      results: ['INVALID_RECORD', 'INVALID_RECORD'],
    });
    assert.throws(() => dht.handleFindValue(from, { key: 'zz' }), { code: 'INVALID_KEY' });
    assert.deepEqual(dht.handleFindValue(from, { key: dhtKey('none') }), { records: [], contacts: [] });
    assert.deepEqual(dht.stats().dropped, { INVALID_RECORD: 3, TOO_LARGE: 1, INVALID_KEY: 1 });
    assert.deepEqual(dht.stats().served, { store: 3, findValue: 2 });
  });

  it('bounds hand-offs: one at a time, a bounded queue, a cooldown per peer; stop cancels them', async () => {
    const { dht, net, clock } = lone({ tunables: { handoffGraceMs: 0, maxHandoffQueue: 4 } });
    dht.start();
    await dht.put('topic/a', enc('x'));
    const peers = Array.from({ length: 8 }, (_, i) => ({
      id: hexWithPrefix(i + 1, 'ab'),
      address: { host: '192.0.2.1', port: 4000 + i },
    }));
    for (const p of peers) dht.peerJoined(p);
    dht.peerJoined(peers[0]!); // in its cooldown
    assert.equal(net.sent, 1, 'one hand-off in flight');
    assert.equal(dht.stats().handoffsDropped, 3); // 8 peers: 1 running, 4 queued, 3 dropped
    await clock.advance(5_000); // the request times out; the next queued peer goes
    assert.equal(net.sent, 2);
    dht.stop();
    await dht.idle();
    assert.equal(dht.stats().handoffs, 2);
    await clock.advance(60 * MIN);
    assert.equal(net.sent, 2, 'nothing after stop');
  });

  it('a record put while alone reaches the peers that join, even during the hand-off grace period', async () => {
    const sim = await DhtSim.build({ nodes: 1, tunables: { handoffGraceMs: 3_600_000 } });
    const first = sim.nodes[0]!;
    const put = await sim.drive(first.dht.put('pubsub:exact:a', enc('x')));
    assert.equal(put.stored, 1, 'alone: only itself');
    const joiners = [0, 1, 2].map(() => sim.add(sim.identity()));
    for (const n of joiners) {
      n.dht.start();
      await sim.drive(sim.join(n, first));
    }
    await sim.clock.advance(2_000); // the thin record's republish, a second after the last join
    for (const n of joiners) assert.equal(n.dht.stats().store.records, 1, 'the joiner holds it');
    assert.equal(first.dht.stats().handoffs, 0, 'no hand-off ran: the grace period holds');
    // Once it is on every node (fewer than `replicas` exist, so it stays thin), a join
    // brings one republish, not one per record and join.
    const republished = first.dht.stats().republished;
    const late = sim.add(sim.identity());
    late.dht.start();
    await sim.drive(sim.join(late, first));
    await sim.clock.advance(2_000);
    assert.equal(late.dht.stats().store.records, 1);
    assert.equal(first.dht.stats().republished, republished + 1);
  });

  it('the owner republishes every ttl/2 with a higher seq; after stop its records expire everywhere', async () => {
    const sim = await DhtSim.build({ nodes: 30, seed: 9 });
    const owner = sim.nodes[0]!;
    const key = dhtKey('svc/echo');
    await sim.drive(owner.dht.put('svc/echo', enc('v1'), { ttlMs: 10 * MIN }));
    const seqs = () => new Set(sim.nodes.flatMap((n) => n.dht.store.get(key).map((r) => r.seq)));
    const [seq1] = seqs();
    await sim.clock.advance(5 * MIN + 1_000);
    await sim.drive(Promise.all(sim.nodes.map((n) => n.dht.idle())));
    assert.equal(owner.dht.stats().republished, 1);
    assert.ok(
      [...seqs()].every((s) => s > seq1!),
      'every replica holds the new version',
    );
    assert.equal(
      sum(sim.nodes, (n) => n.dht.store.get(key).length),
      20,
    );
    await sim.clock.advance(30 * MIN);
    assert.equal(owner.dht.stats().republished, 7);
    owner.dht.stop();
    const m0 = sim.total();
    await sim.clock.advance(11 * MIN); // the last version expires; sweeps drop it
    assert.equal(
      sum(sim.nodes.slice(1), (n) => n.dht.store.stats().records),
      0,
      'swept by every running node',
    );
    assert.deepEqual(
      owner.dht.store.get(key),
      [],
      'expired (a stopped node does not sweep, but never returns it)',
    );
    assert.equal(sim.total(), m0, 'no traffic: nothing republished');
    for (const n of sim.nodes) n.dht.stop();
  });

  it('replicas republish keys nobody refreshed for an hour, mostly one replica per key', async (t) => {
    const sim = await DhtSim.build({ nodes: 40, seed: 4 });
    const owner = sim.nodes[0]!;
    await sim.drive(owner.dht.put('svc/long', enc('v'), { ttlMs: 24 * 60 * MIN }));
    owner.dht.stop(); // no owner republish: only replicas keep it placed
    const first = sim.closestLive('svc/long', 20);
    sim.kill(first.filter((n, i) => i % 4 === 0 && n !== owner));
    await sim.clock.advance(135 * MIN);
    await sim.drive(Promise.all(sim.live().map((n) => n.dht.idle())));
    const truth = sim.closestLive('svc/long', 20);
    const held = truth.filter((n) => n.dht.store.get(dhtKey('svc/long')).length === 1).length;
    assert.ok(held >= 19, `held by ${held} of the 20 closest`);
    const pushed = sum(sim.live(), (n) => n.dht.stats().replicaKeys);
    t.diagnostic(JSON.stringify({ held, replicaKeyPushes: pushed }));
    assert.ok(pushed >= 1 && pushed <= 4, `replica republishes ${pushed}`);
    for (const n of sim.nodes) n.dht.stop();
  });
});
