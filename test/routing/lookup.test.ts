import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Contact,
  type LookupEvent,
  LookupService,
  RoutingTable,
  RttTracker,
  randomIdInBucket,
} from '../../src/routing/index.js';
import { SeededRandom, VirtualClock } from '../../src/runtime/index.js';
import { byDistance, contact, FakeNet, randomId } from './fixtures.js';

const rnd = new SeededRandom(11);

/**
 * A scripted world: `n` peers that each answer FIND_NODE with the k closest of all peers
 * (a perfect network), and one node (`self`) whose table knows only `known` of them.
 */
function world(
  n: number,
  known: number,
  o: { k?: number; defaultTimeoutMs?: number; maxFailures?: number } = {},
) {
  const clock = new VirtualClock();
  const net = new FakeNet(clock);
  const self = randomId(rnd);
  const peers = Array.from({ length: n }, () => contact(randomId(rnd)));
  const k = o.k ?? 20;
  for (const p of peers) {
    net.peers.set(p.id, {
      delayMs: 5 + rnd.int(20),
      answer: (target) => {
        const ids = byDistance(
          peers.map((q) => q.id),
          target,
        ).slice(0, k);
        return ids.map((id) => peers.find((q) => q.id === id)!);
      },
    });
  }
  const table = new RoutingTable({ selfId: self, clock, k, maxFailures: o.maxFailures ?? 3 });
  for (const p of peers.slice(0, known)) table.observe(p);
  const rtt = new RttTracker({ defaultTimeoutMs: o.defaultTimeoutMs ?? 1000 });
  const service = new LookupService({ table, net, clock, rtt, random: rnd });
  return { clock, net, self, peers, table, service, k };
}

/** Runs `p` to completion on the virtual clock. */
async function drive<T>(clock: VirtualClock, p: Promise<T>): Promise<T> {
  let done = false;
  const watch = p.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) await clock.advance(5);
  await watch;
  return p;
}

/** Reads an event stream to its end while virtual time passes. */
async function collect(clock: VirtualClock, events: AsyncIterable<LookupEvent>): Promise<LookupEvent[]> {
  const out: LookupEvent[] = [];
  await drive(
    clock,
    (async () => {
      for await (const e of events) out.push(e);
    })(),
  );
  return out;
}

describe('LookupService', () => {
  it('finds the k closest peers from a partial table, and feeds answering peers to the table', async () => {
    const w = world(300, 10);
    for (let i = 0; i < 5; i++) {
      const target = randomId(rnd);
      const r = await drive(w.clock, w.service.lookup(target));
      const truth = byDistance(
        w.peers.map((p) => p.id),
        target,
      ).slice(0, w.k);
      assert.deepEqual(
        r.closest.map((c) => c.id),
        truth,
      );
      assert.ok(r.hops >= 1 && r.rounds >= 1 && r.queried >= w.k, JSON.stringify(r));
      assert.ok(r.messages >= r.queried + w.k && r.messages <= 2 * r.queried);
      assert.ok(r.durationMs > 0);
    }
    assert.ok(w.table.size > 10);
    assert.equal(w.service.stats.succeeded, 5);
  });

  it('times out a dead peer with the adaptive timeout, drops it from the table, and still succeeds', async () => {
    const w = world(50, 50, { defaultTimeoutMs: 400, maxFailures: 1 });
    const target = randomId(rnd);
    const dead = byDistance(
      w.peers.map((p) => p.id),
      target,
    )[0]!;
    w.net.peers.get(dead)!.dead = true;
    const events = await collect(w.clock, w.service.lookupEvents(target));
    assert.ok(events.some((e) => e.type === 'timeout' && e.peer.id === dead));
    const done = events.at(-1)!;
    assert.equal(done.type, 'done');
    if (done.type !== 'done') return;
    assert.ok(!done.result.closest.some((c) => c.id === dead));
    assert.equal(done.result.timeouts, 1);
    const timeout = events.find((e) => e.type === 'timeout')!;
    assert.equal(timeout.type === 'timeout' && timeout.timeoutMs, 400);
    assert.equal(w.table.has(dead), false);
  });

  it('reports progress as events: queries, responses, then done with the result', async () => {
    const w = world(100, 5);
    const events = await collect(w.clock, w.service.lookupEvents(randomId(rnd)));
    assert.equal(events[0]!.type, 'query');
    const done = events.at(-1)!;
    assert.equal(done.type, 'done');
    if (done.type !== 'done') return;
    assert.equal(events.filter((e) => e.type === 'done').length, 1);
    assert.equal(events.filter((e) => e.type === 'query').length, done.result.queried);
    assert.ok(events.filter((e) => e.type === 'response').length >= w.k);
    const times = events.map((e) => e.at);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
  });

  it('cancels the lookup when the reader stops early', async () => {
    const w = world(100, 5);
    let seen = 0;
    await drive(
      w.clock,
      (async () => {
        for await (const e of w.service.lookupEvents(randomId(rnd))) {
          if (e.type === 'response' && ++seen === 2) break;
        }
      })(),
    );
    assert.equal(w.service.stats.aborted, 1);
    assert.equal(w.service.stats.succeeded, 0);
  });

  it('rejects malformed targets with a typed error, and counts them', async () => {
    const w = world(5, 5);
    for (const bad of ['', 'xyz', w.self.toUpperCase(), `${w.self}00`, 42 as unknown as string]) {
      await assert.rejects(w.service.lookup(bad), { name: 'RoutingError', code: 'INVALID_ID' });
    }
    assert.throws(() => w.service.lookupEvents('nope'), { code: 'INVALID_ID' });
    assert.equal(w.service.stats.rejected['invalid-id'], 6);
    assert.equal(w.service.stats.failed, 6);
    assert.equal(w.net.asked.length, 0);
  });

  it('fails with LOOKUP_FAILED when nobody is known or nobody answers', async () => {
    const empty = world(0, 0);
    await assert.rejects(empty.service.lookup(randomId(rnd)), { code: 'LOOKUP_FAILED' });
    const w = world(4, 4, { defaultTimeoutMs: 300 });
    for (const p of w.peers) w.net.peers.get(p.id)!.dead = true;
    w.net.peers.get(w.peers[0]!.id)!.fail = new Error('connection refused');
    const p = w.service.lookup(randomId(rnd));
    await assert.rejects(drive(w.clock, p), { code: 'LOOKUP_FAILED' });
    assert.equal(w.clock.now(), 300); // all asked in parallel batches of α, none waited on twice
  });

  it('aborts on its signal or deadline with typed errors, leaving no request behind', async () => {
    const w = world(60, 3);
    const ac = new AbortController();
    const p = w.service.lookup(randomId(rnd), { signal: ac.signal });
    await w.clock.advance(30);
    ac.abort();
    await assert.rejects(p, { name: 'AbortError', code: 'ABORTED' });
    const slow = world(60, 3);
    for (const q of slow.peers) slow.net.peers.get(q.id)!.delayMs = 400;
    const t = slow.service.lookup(randomId(rnd), { timeoutMs: 1000 });
    await assert.rejects(drive(slow.clock, t), { name: 'TimeoutError', code: 'TIMEOUT' });
    assert.equal(slow.clock.now(), 1000);
    await slow.clock.runUntilIdle();
    assert.equal(slow.clock.pending, 0);
    assert.equal(slow.service.stats.aborted, 1);
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(w.service.lookup(randomId(rnd), { signal: pre.signal }), { code: 'ABORTED' });
  });

  it('keeps only well-formed contacts from answers: at most k, no self, no duplicates', async () => {
    const w = world(1, 1, { k: 6 });
    const [good, extra, badPort] = Array.from({ length: 3 }, () => contact(randomId(rnd)));
    for (const g of [good!, extra!, badPort!]) w.net.peers.set(g.id, { answer: () => [] });
    w.net.peers.get(w.peers[0]!.id)!.answer = () => [
      { id: 'bad', address: { host: 'h', port: 1 } },
      { id: badPort!.id, address: { host: 'h', port: 70_000 } },
      contact(w.self),
      good,
      good,
      null,
      extra, // the 7th: beyond k, dropped
    ];
    const r = await drive(w.clock, w.service.lookup(randomId(rnd)));
    assert.deepEqual(new Set(r.closest.map((c) => c.id)), new Set([w.peers[0]!.id, good!.id]));
    const rejected: Record<string, number> = w.service.stats.rejected;
    assert.deepEqual({ ...rejected }, { 'too-many-contacts': 1, 'bad-contact': 3 });
    w.net.peers.get(w.peers[0]!.id)!.answer = () => 'garbage';
    await drive(w.clock, w.service.lookup(randomId(rnd)));
    assert.equal(rejected['bad-response'], 1);
  });

  it('uses a late answer that arrives after the adaptive timeout freed the slot', async () => {
    const w = world(0, 0, { defaultTimeoutMs: 100 });
    const [a, b, c, d] = Array.from({ length: 4 }, () => contact(randomId(rnd)));
    w.net.peers.set(a!.id, { delayMs: 100, answer: () => [c] }); // answers at 200 ms: late
    w.net.peers.set(b!.id, { delayMs: 5, answer: () => [d] });
    w.net.peers.set(c!.id, { delayMs: 5, answer: () => [] });
    w.net.peers.set(d!.id, { delayMs: 150, answer: () => [] }); // keeps the lookup busy until 310 ms
    w.service.rtt.sample(d!.id, 300);
    w.table.observe(a!);
    w.table.observe(b!);
    const events = await collect(w.clock, w.service.lookupEvents(randomId(rnd)));
    const kinds = events.filter((e) => e.type !== 'done' && e.peer.id === a!.id).map((e) => e.type);
    assert.deepEqual(kinds, ['query', 'timeout', 'response']);
    const done = events.at(-1)!;
    assert.ok(done.type === 'done');
    assert.deepEqual(new Set(done.result.closest.map((x) => x.id)), new Set([a!.id, b!.id, c!.id, d!.id]));
    assert.equal(done.result.timeouts, 1);
    assert.equal(w.table.get(a!.id)?.failures, 0); // it answered in the end: not reported as failed
  });

  it('refreshes stale buckets with lookups into their range, and joins through a seed', async () => {
    const w = world(200, 0);
    const r = await drive(w.clock, w.service.join([w.peers[0]!], { refresh: true }));
    assert.equal(r.target, w.self);
    assert.ok(w.table.size >= 20);
    await w.clock.advance(2 * 60 * 60_000);
    const before = w.service.stats.lookups;
    const n = await drive(w.clock, w.service.refresh());
    assert.ok(n > 0);
    assert.equal(w.service.stats.lookups - before, n);
    assert.deepEqual(w.table.bucketsNeedingRefresh(w.clock.now(), w.service.tunables.refreshIntervalMs), []);
    assert.equal(w.table.bucketOf(randomIdInBucket(w.self, 2, rnd)), 2);
  });
});

describe('RttTracker', () => {
  it('derives SRTT + 4·RTTVAR timeouts, clamped, with a default for unknown peers and a bounded memory', () => {
    const t = new RttTracker({ defaultTimeoutMs: 900, minTimeoutMs: 50, maxTimeoutMs: 2000, capacity: 2 });
    assert.equal(t.timeoutFor('a'), 900);
    t.sample('a', 100);
    assert.equal(t.timeoutFor('a'), 300); // 100 + 4·50
    for (let i = 0; i < 50; i++) t.sample('a', 10);
    assert.equal(t.timeoutFor('a'), 50); // converged to ~10 ms: clamped up
    t.sample('b', 5000);
    assert.equal(t.timeoutFor('b'), 2000);
    t.sample('c', 1);
    assert.equal(t.size, 2);
    assert.equal(t.srtt('a'), undefined); // least recently measured forgotten
    t.sample('c', Number.NaN);
    assert.equal(t.srtt('c'), 1);
  });
});

// Keeps the Contact type import used even if the tests above change.
export type { Contact };
