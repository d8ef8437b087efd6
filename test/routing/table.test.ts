import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoutingTable, randomIdInBucket } from '../../src/routing/index.js';
import { type Random, SeededRandom, VirtualClock } from '../../src/runtime/index.js';
import { byDistance, contact, cpl, randomId } from './fixtures.js';

const rnd = new SeededRandom(42);
const SELF = randomId(rnd);

function table(o: Partial<ConstructorParameters<typeof RoutingTable>[0]> = {}, clock = new VirtualClock()) {
  return new RoutingTable({ selfId: SELF, clock, ...o });
}

/** `n` distinct ids in bucket `i` of SELF. */
function inBucket(i: number, n: number, random: Random = rnd): string[] {
  return Array.from({ length: n }, () => randomIdInBucket(SELF, i, random));
}

describe('RoutingTable basics', () => {
  it('inserts, moves known peers to the tail, ignores self and rejects malformed contacts', async () => {
    const clock = new VirtualClock();
    const t = table({ k: 4 }, clock);
    const [a, b] = inBucket(0, 2).map(contact);
    assert.equal(t.observe(a!), 'added');
    await clock.advance(5);
    assert.equal(t.observe(b!), 'added');
    await clock.advance(5);
    assert.equal(t.observe(a!, { rttMs: 12 }), 'updated');
    assert.deepEqual(
      t.entries().map((e) => e.id),
      [b!.id, a!.id],
    );
    assert.equal(t.get(a!.id)?.lastSeen, 10);
    assert.equal(t.get(a!.id)?.rttMs, 12);
    assert.equal(t.observe(contact(SELF)), 'ignored');
    assert.equal(t.observe(contact('ABC')), 'rejected');
    assert.equal(t.observe(contact(SELF.toUpperCase())), 'rejected');
    assert.equal(t.observe({ id: randomId(rnd), address: { host: '', port: 0 } }), 'rejected');
    assert.equal(t.size, 2);
    assert.equal(t.stats().rejected['bad-contact'], 3);
    assert.throws(() => t.closest('nope'), { name: 'RoutingError', code: 'INVALID_ID' });
    assert.throws(() => new RoutingTable({ selfId: 'x', clock }), { code: 'INVALID_ID' });
  });

  it('puts each peer in the bucket of its common-prefix length', () => {
    const t = table();
    for (let i = 0; i < 300; i++) {
      const id = randomId(rnd);
      assert.equal(t.bucketOf(id), cpl(SELF, id));
    }
    for (let i = 0; i < 256; i++) assert.equal(t.bucketOf(randomIdInBucket(SELF, i, rnd)), i);
    assert.equal(t.bucketOf(SELF), 256);
  });
});

describe('RoutingTable eviction', () => {
  it('keeps a full bucket’s oldest entry when it answers the liveness check; the newcomer waits', async () => {
    const pinged: string[] = [];
    const t = table({
      k: 3,
      ping: async (p) => {
        pinged.push(p.id);
        return true;
      },
    });
    const ids = inBucket(0, 4);
    for (const id of ids.slice(0, 3)) t.observe(contact(id));
    assert.equal(t.observe(contact(ids[3]!)), 'checking');
    assert.equal(t.observe(contact(randomIdInBucket(SELF, 0, rnd))), 'cached'); // one check at a time
    await t.idle();
    assert.deepEqual(pinged, [ids[0]]);
    assert.equal(t.has(ids[3]!), false);
    assert.deepEqual(
      t.entries().map((e) => e.id),
      [ids[1], ids[2], ids[0]],
    );
    assert.deepEqual(
      { checks: t.stats().checks, failures: t.stats().checkFailures },
      { checks: 1, failures: 0 },
    );
    assert.equal(t.stats().replacements, 2);
  });

  it('replaces the oldest entry with the newest replacement when the check times out', async () => {
    const clock = new VirtualClock();
    const t = table({ k: 2, pingTimeoutMs: 500, ping: () => new Promise<boolean>(() => {}) }, clock);
    const ids = inBucket(3, 3);
    t.observe(contact(ids[0]!));
    t.observe(contact(ids[1]!));
    assert.equal(t.observe(contact(ids[2]!)), 'checking');
    await clock.advance(499);
    assert.equal(t.has(ids[0]!), true);
    await clock.advance(1);
    await t.idle();
    assert.equal(t.has(ids[0]!), false);
    assert.deepEqual(
      t.entries().map((e) => e.id),
      [ids[1], ids[2]],
    );
    assert.equal(t.stats().checkFailures, 1);
    assert.equal(t.stats().replacements, 0);
  });

  it('does not evict an entry heard from while its check was running', async () => {
    const clock = new VirtualClock();
    let answer!: (v: boolean) => void;
    const t = table({ k: 1, ping: () => new Promise<boolean>((r) => (answer = r)) }, clock);
    const [a, b] = inBucket(0, 2);
    t.observe(contact(a!));
    t.observe(contact(b!));
    await clock.advance(10);
    t.observe(contact(a!)); // traffic from the old entry
    answer(false);
    await t.idle();
    assert.equal(t.has(a!), true);
  });

  it('counts failures, drops an entry after maxFailures, or at once when a replacement waits', () => {
    const t = table({ k: 2, maxFailures: 2 });
    const ids = inBucket(1, 3);
    t.observe(contact(ids[0]!));
    assert.equal(t.recordFailure(ids[0]!), false);
    assert.equal(t.get(ids[0]!)?.failures, 1);
    assert.equal(t.recordFailure(ids[0]!), true);
    assert.equal(t.size, 0);
    t.observe(contact(ids[0]!));
    t.observe(contact(ids[1]!));
    assert.equal(t.observe(contact(ids[2]!)), 'cached'); // no ping: waits
    assert.equal(t.recordFailure(ids[1]!), true);
    assert.deepEqual(
      t.entries().map((e) => e.id),
      [ids[0], ids[2]],
    );
  });

  it('lets a newcomer take the slot of an entry that already failed, without a ping', () => {
    let pings = 0;
    const t = table({
      k: 2,
      maxFailures: 5,
      ping: async () => {
        pings++;
        return true;
      },
    });
    const ids = inBucket(2, 3);
    t.observe(contact(ids[0]!));
    t.observe(contact(ids[1]!));
    t.recordFailure(ids[1]!);
    assert.equal(t.observe(contact(ids[2]!)), 'added');
    assert.equal(t.has(ids[1]!), false);
    assert.equal(pings, 0);
  });

  it('remove() promotes the newest replacement; close() stops liveness checks', async () => {
    const t = table({ k: 1, ping: () => new Promise<boolean>(() => {}) });
    const ids = inBucket(0, 3);
    for (const id of ids) t.observe(contact(id));
    assert.equal(t.remove(ids[0]!), true);
    assert.deepEqual(
      t.entries().map((e) => e.id),
      [ids[2]],
    );
    assert.equal(t.remove('not-an-id'), false);
    t.close();
    await t.idle();
    assert.equal(t.observe(contact(randomIdInBucket(SELF, 0, rnd))), 'cached');
  });
});

describe('RoutingTable closest()', () => {
  it('matches a brute-force XOR sort for random targets and sizes', () => {
    const r = new SeededRandom(7);
    const t = table({ k: 8 });
    for (let i = 0; i < 3000; i++) t.observe(contact(randomId(r)));
    // Deep buckets too: peers sharing long prefixes with self.
    for (let i = 0; i < 40; i++) t.observe(contact(randomIdInBucket(SELF, 5 + i, r)));
    const all = t.entries().map((e) => e.id);
    const targets = [SELF, all[0]!, ...Array.from({ length: 150 }, () => randomId(r))];
    targets.push(...Array.from({ length: 50 }, (_, i) => randomIdInBucket(SELF, i % 20, r)));
    for (const target of targets) {
      const truth = byDistance(all, target);
      for (const n of [1, 3, 8, 20, 500]) {
        const got = t.closest(target, n).map((c) => c.id);
        assert.deepEqual(got, truth.slice(0, n), `target ${target.slice(0, 8)} n ${n}`);
      }
    }
    assert.deepEqual(t.closest(SELF, 0), []);
  });
});

describe('RoutingTable memory', () => {
  it('stays within k per bucket plus a bounded replacement cache, however many peers it sees', () => {
    const r = new SeededRandom(3);
    const t = table({ k: 20 });
    for (let i = 0; i < 50_000; i++) t.observe(contact(randomId(r)));
    const s = t.stats();
    assert.ok(s.size <= 20 * 17, `size ${s.size}`); // 50k random peers fill ~log2(50k) buckets
    assert.ok(s.replacements <= 20 * s.buckets, `replacements ${s.replacements}`);
    const perBucket = new Map<number, number>();
    for (const e of t.entries()) perBucket.set(t.bucketOf(e.id), (perBucket.get(t.bucketOf(e.id)) ?? 0) + 1);
    assert.ok(Math.max(...perBucket.values()) <= 20);
  });
});

describe('RoutingTable refresh', () => {
  it('lists buckets with no lookup for an interval, up to the deepest non-empty one', async () => {
    const clock = new VirtualClock();
    const t = table({}, clock);
    assert.deepEqual(t.bucketsNeedingRefresh(clock.now(), 1000), []);
    t.observe(contact(randomIdInBucket(SELF, 3, rnd)));
    await clock.advance(1000);
    assert.deepEqual(t.bucketsNeedingRefresh(clock.now(), 1000), [0, 1, 2, 3]);
    t.markRefreshed(1);
    assert.deepEqual(t.bucketsNeedingRefresh(clock.now(), 1000), [0, 2, 3]);
    for (const i of [0, 2, 3, 200]) assert.equal(t.bucketOf(t.refreshTarget(i, rnd)), i);
    assert.throws(() => t.refreshTarget(256, rnd), RangeError);
  });
});
