import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { RECORD_OVERHEAD_BYTES, RecordStore, type RecordStoreOptions } from '../../src/dht/index.js';
import { hexWithPrefix, identity, REALM, record, T0 } from './fixtures.js';

const SELF = hexWithPrefix(0);
const [a, b, c, d] = [identity(), identity(), identity(), identity()];
const HOUR = 60 * 60_000;
let now = T0;

function store(limits: RecordStoreOptions['limits'] = {}): RecordStore {
  return new RecordStore({ selfId: SELF, realm: REALM, limits, wallClock: () => now });
}

/** A record of `who` under the raw key with first byte `prefix` (XOR distance to SELF grows with it). */
function at(who: typeof a, prefix: number, over: Parameters<typeof record>[2] = {}) {
  return record(who, '', { key: hexWithPrefix(prefix), ...over });
}

describe('dht record store', () => {
  beforeEach(() => {
    now = T0;
  });

  it('keeps one record per owner under a key, verified, and counts what it refuses', () => {
    const s = store();
    assert.equal(s.put(at(a, 1)), 'OK');
    assert.equal(s.put(at(b, 1)), 'OK');
    assert.equal(s.get(hexWithPrefix(1)).length, 2);
    assert.equal(s.put({ ...at(c, 1), owner: a.id }), 'WRONG_OWNER_KEY');
    assert.equal(s.put(record(c, '', { key: hexWithPrefix(1) }, 'org.other.mesh')), 'BAD_SIGNATURE');
    assert.equal(s.put(at(c, 1, { issuedAt: T0 - 2 * HOUR })), 'EXPIRED');
    assert.deepEqual(s.stats().rejected, { WRONG_OWNER_KEY: 1, BAD_SIGNATURE: 1, EXPIRED: 1 });
    assert.equal(s.stats().records, 2);
    assert.equal(s.stats().keys, 1);
  });

  it('replaces only with a higher seq; the same record again is a refresh', () => {
    const s = store();
    const v1 = at(a, 1, { seq: 5, value: Uint8Array.of(1) });
    assert.equal(s.put(v1), 'OK');
    assert.equal(s.put(v1), 'OK');
    assert.equal(s.put(at(a, 1, { seq: 4, value: Uint8Array.of(2) })), 'STALE');
    assert.equal(s.put(at(a, 1, { seq: 5, value: Uint8Array.of(3) })), 'STALE'); // same seq, other content
    assert.equal(s.put(at(a, 1, { seq: 6, value: Uint8Array.of(4) })), 'OK');
    assert.deepEqual([...s.get(hexWithPrefix(1))[0]!.value], [4]);
    const st = s.stats();
    assert.equal(st.records, 1);
    assert.equal(st.refreshed, 1);
    assert.equal(st.replaced, 1);
    assert.equal(st.rejected.STALE, 2);
  });

  it('enforces the per-owner quota (a replacement does not count)', () => {
    const s = store({ maxRecordsPerOwner: 2 });
    assert.equal(s.put(at(a, 1)), 'OK');
    assert.equal(s.put(at(a, 2)), 'OK');
    assert.equal(s.put(at(a, 3)), 'QUOTA');
    assert.equal(s.put(at(a, 2, { seq: 2 })), 'OK');
    assert.equal(s.put(at(b, 3)), 'OK');
  });

  it('enforces the per-key limit, making room from expired records first', () => {
    const s = store({ maxRecordsPerKey: 2 });
    assert.equal(s.put(at(a, 1, { ttlMs: 1000 })), 'OK');
    assert.equal(s.put(at(b, 1)), 'OK');
    assert.equal(s.put(at(c, 1)), 'KEY_FULL');
    now = T0 + 1000;
    assert.equal(s.put(at(c, 1)), 'OK');
    assert.equal(s.stats().expired, 1);
  });

  it('when full, drops expired records first', () => {
    const s = store({ maxRecords: 2 });
    assert.equal(s.put(at(a, 0x80, { ttlMs: 1000 })), 'OK');
    assert.equal(s.put(at(b, 0x90)), 'OK');
    now = T0 + 1000;
    assert.equal(s.put(at(c, 0xa0)), 'OK'); // farther than everything held, but an expired record makes room
    assert.equal(s.get(hexWithPrefix(0x80)).length, 0);
    assert.equal(s.stats().expired, 1);
    assert.deepEqual(s.stats().evicted, {});
  });

  it('when full, a key closer to us evicts a record of the farthest key', () => {
    const s = store({ maxRecords: 3 });
    assert.equal(s.put(at(a, 0x10)), 'OK');
    assert.equal(s.put(at(a, 0xf0, { ttlMs: 2 * HOUR })), 'OK');
    assert.equal(s.put(at(b, 0xf0, { ttlMs: HOUR })), 'OK');
    assert.equal(s.put(at(c, 0x20)), 'OK');
    const far = s.get(hexWithPrefix(0xf0));
    assert.deepEqual(
      far.map((r) => r.owner),
      [a.id],
      'the farthest key loses the record that expires first',
    );
    assert.deepEqual(s.stats().evicted, { distance: 1 });
  });

  it('when full, a key no closer than the farthest one held is refused', () => {
    const s = store({ maxRecords: 2 });
    assert.equal(s.put(at(a, 0x10)), 'OK');
    assert.equal(s.put(at(a, 0x40)), 'OK');
    assert.equal(s.put(at(b, 0x40)), 'STORE_FULL'); // the farthest key itself
    assert.equal(s.put(at(b, 0x80)), 'STORE_FULL');
    assert.equal(s.put(at(a, 0x40, { seq: 2 })), 'OK'); // replacing needs no room
    assert.equal(s.stats().rejected.STORE_FULL, 2);
  });

  it('bounds the bytes held too', () => {
    const big = (who: typeof a, p: number) => at(who, p, { value: new Uint8Array(1000) });
    const s = store({ maxBytes: 2 * (1000 + RECORD_OVERHEAD_BYTES) });
    assert.equal(s.put(big(a, 0x10)), 'OK');
    assert.equal(s.put(big(b, 0x80)), 'OK');
    assert.equal(s.put(big(c, 0xc0)), 'STORE_FULL');
    assert.equal(s.put(big(c, 0x20)), 'OK');
    assert.equal(s.stats().bytes, 2 * (1000 + RECORD_OVERHEAD_BYTES));
    // A bigger replacement needs room too.
    const huge = at(a, 0x10, { seq: 2, value: new Uint8Array(1500) });
    assert.equal(s.put(huge), 'OK'); // evicts the farther 0x20 record to fit
    assert.equal(s.get(hexWithPrefix(0x20)).length, 0);
  });

  it('a tombstone deletes the owner record and blocks its stale copies until that record would expire', () => {
    const s = store();
    const live = at(a, 1, { seq: 1, ttlMs: HOUR });
    assert.equal(s.put(live), 'OK');
    const tomb = at(a, 1, { seq: 2, ttlMs: 0, value: new Uint8Array(0), issuedAt: T0 + 10 });
    assert.equal(s.put(tomb), 'OK');
    assert.equal(s.get(hexWithPrefix(1)).length, 0);
    assert.equal(s.replicable(hexWithPrefix(1)).length, 1); // handed on to other replicas
    assert.equal(s.put(live), 'STALE'); // a stale replica pushing the old record back
    assert.equal(s.stats().deleted, 1);
    assert.equal(s.stats().tombstones, 1);
    now = T0 + HOUR; // the deleted record would have expired: the tombstone is forgotten
    assert.equal(s.sweep(), 1);
    assert.equal(s.stats().tombstones, 0);
    assert.equal(s.stats().keys, 0);
    // A newer version after the removal is accepted.
    assert.equal(s.put(at(a, 1, { seq: 3, issuedAt: T0 + HOUR })), 'OK');
  });

  it('a tombstone for a record it never held is kept for the longest TTL, and a higher seq revives the owner', () => {
    const s = store({ maxTtlMs: 2 * HOUR });
    assert.equal(s.put(at(a, 1, { seq: 2, ttlMs: 0, value: new Uint8Array(0) })), 'OK');
    assert.equal(s.put(at(a, 1, { seq: 1 })), 'STALE');
    now = T0 + 2 * HOUR - 1;
    assert.equal(s.sweep(), 0);
    assert.equal(s.put(at(a, 1, { seq: 3, issuedAt: now })), 'OK');
    assert.equal(s.stats().tombstones, 0);
    assert.equal(s.get(hexWithPrefix(1)).length, 1);
  });

  it('bounds tombstones: the soonest to expire goes first', () => {
    const s = store({ maxTombstones: 2 });
    const tomb = (who: typeof a, issuedAt: number) =>
      at(who, 1, { seq: 9, ttlMs: 0, value: new Uint8Array(0), issuedAt });
    assert.equal(s.put(tomb(a, T0 + 2)), 'OK');
    assert.equal(s.put(tomb(b, T0 + 1)), 'OK');
    assert.equal(s.put(tomb(c, T0 + 3)), 'OK');
    assert.deepEqual(
      s
        .replicable(hexWithPrefix(1))
        .map((r) => r.owner)
        .sort(),
      [a.id, c.id].sort(),
    );
    assert.deepEqual(s.stats().evicted, { tombstones: 1 });
    const none = store({ maxTombstones: 0 });
    assert.equal(none.put(at(d, 1)), 'OK');
    assert.equal(none.put(tomb(d, T0)), 'OK'); // still deletes
    assert.equal(none.stats().records + none.stats().tombstones, 0);
  });

  it('sweeps expired records and keeps its internal queues bounded under churn', () => {
    const s = store();
    for (let i = 0; i < 50; i++) assert.equal(s.put(at(a, i, { ttlMs: 1000 + i })), 'OK');
    now = T0 + 1024; // ttl 1000…1024 are over
    assert.equal(s.sweep(), 25);
    assert.equal(s.stats().records, 25);
    // 1500 replacements of one record: the lazily cleaned expiry heap does not grow with them.
    for (let seq = 2; seq < 1502; seq++) s.put(at(b, 1, { seq, issuedAt: now }));
    const heap = (s as unknown as { s: { liveHeap: { size: number } } }).s.liveHeap; // internal
    assert.ok(heap.size <= 2 * s.size + 1024, `heap ${heap.size}`);
    assert.equal(s.stats().records, 26);
  });

  it('lists keys nearest to us first and those not stored to lately', () => {
    const s = store();
    for (const p of [0x30, 0x10, 0x20]) s.put(at(a, p));
    assert.deepEqual(s.nearestKeys(2), [hexWithPrefix(0x10), hexWithPrefix(0x20)]);
    now = T0 + 1000;
    s.touch(hexWithPrefix(0x20));
    assert.deepEqual(s.untouchedKeys(T0 + 500, 10), [hexWithPrefix(0x10), hexWithPrefix(0x30)]);
  });
});
