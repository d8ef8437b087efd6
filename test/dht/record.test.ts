import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_DHT_LIMITS, DhtError, dhtKey, signRecord, verifyRecord } from '../../src/dht/index.js';
import { identity, REALM, record, T0 } from './fixtures.js';

const alice = identity();
const bob = identity();
const HOUR = 60 * 60_000;

describe('dht records', () => {
  it('dhtKey is SHA-256 of the UTF-8 app key, as 64 lowercase hex', () => {
    assert.equal(dhtKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.match(dhtKey('topic/é'), /^[0-9a-f]{64}$/);
    assert.throws(
      () => dhtKey(''),
      (e: unknown) => e instanceof DhtError && e.code === 'INVALID_KEY',
    );
    assert.throws(() => dhtKey('x'.repeat(1025)), DhtError);
  });

  it('a signed record verifies in its realm, within its lifetime', () => {
    const r = record(alice);
    assert.equal(r.owner, alice.id);
    assert.equal(verifyRecord(r, REALM, T0), undefined);
    assert.equal(verifyRecord(r, REALM, T0 + HOUR - 1), undefined);
  });

  it('rejects a record claiming another owner, or carrying another key', () => {
    const r = record(alice);
    assert.equal(verifyRecord({ ...r, owner: bob.id }, REALM, T0), 'WRONG_OWNER_KEY');
    assert.equal(verifyRecord({ ...r, ownerKey: bob.signer.publicKey }, REALM, T0), 'WRONG_OWNER_KEY');
    // Signed by bob but claiming alice (with alice's key): the signature does not verify.
    const forged = { ...record(bob), owner: alice.id, ownerKey: alice.signer.publicKey };
    assert.equal(verifyRecord(forged, REALM, T0), 'BAD_SIGNATURE');
  });

  it('rejects a record signed for another realm (no cross-realm replay)', () => {
    const r = record(alice, 'topic/a', {}, 'org.other.mesh');
    assert.equal(verifyRecord(r, 'org.other.mesh', T0), undefined);
    assert.equal(verifyRecord(r, REALM, T0), 'BAD_SIGNATURE');
  });

  it('rejects any tampered field', () => {
    const r = record(alice);
    const value = Uint8Array.from(r.value);
    value[0]! ^= 1;
    assert.equal(verifyRecord({ ...r, value }, REALM, T0), 'BAD_SIGNATURE');
    assert.equal(verifyRecord({ ...r, seq: 2 }, REALM, T0), 'BAD_SIGNATURE');
    assert.equal(verifyRecord({ ...r, ttlMs: 2 * HOUR }, REALM, T0), 'BAD_SIGNATURE');
    assert.equal(verifyRecord({ ...r, issuedAt: T0 + 1 }, REALM, T0), 'BAD_SIGNATURE');
    assert.equal(verifyRecord({ ...r, key: dhtKey('topic/b') }, REALM, T0), 'BAD_SIGNATURE');
    const sig = Uint8Array.from(r.sig);
    sig[10]! ^= 0x80;
    assert.equal(verifyRecord({ ...r, sig }, REALM, T0), 'BAD_SIGNATURE');
  });

  it('rejects expired records, and tombstones older than the longest TTL', () => {
    const r = record(alice, 'topic/a', { ttlMs: 1000 });
    assert.equal(verifyRecord(r, REALM, T0 + 999), undefined);
    assert.equal(verifyRecord(r, REALM, T0 + 1000), 'EXPIRED');
    const tomb = record(alice, 'topic/a', { ttlMs: 0, value: new Uint8Array(0) });
    assert.equal(verifyRecord(tomb, REALM, T0 + 1000), undefined);
    assert.equal(verifyRecord(tomb, REALM, T0 + DEFAULT_DHT_LIMITS.maxTtlMs), 'EXPIRED');
  });

  it('caps the lifetime at maxTtlMs', () => {
    const r = record(alice, 'topic/a', { ttlMs: 7 * 24 * HOUR });
    assert.equal(verifyRecord(r, REALM, T0 + 23 * HOUR), undefined);
    assert.equal(verifyRecord(r, REALM, T0 + 24 * HOUR), 'EXPIRED');
    assert.equal(verifyRecord(r, REALM, T0 + 2 * HOUR, { maxTtlMs: HOUR }), 'EXPIRED');
  });

  it('rejects issuedAt more than the skew allowance in the future', () => {
    const r = record(alice, 'topic/a', { issuedAt: T0 + 60_000 });
    assert.equal(verifyRecord(r, REALM, T0), undefined);
    const later = record(alice, 'topic/a', { issuedAt: T0 + 60_001 });
    assert.equal(verifyRecord(later, REALM, T0), 'CLOCK_SKEW');
    assert.equal(verifyRecord(later, REALM, T0, { maxSkewMs: 120_000 }), undefined);
  });

  it('rejects oversize values and malformed fields', () => {
    const big = record(alice, 'topic/a', { value: new Uint8Array(4097) });
    assert.equal(verifyRecord(big, REALM, T0), 'TOO_LARGE');
    assert.equal(
      verifyRecord(record(alice, 'topic/a', { value: new Uint8Array(4096) }), REALM, T0),
      undefined,
    );
    assert.equal(verifyRecord(big, REALM, T0, { maxValueBytes: 8192 }), undefined);
    const r = record(alice);
    assert.equal(verifyRecord({ ...r, key: 'ABC' }, REALM, T0), 'INVALID_KEY');
    assert.equal(verifyRecord({ ...r, seq: -1 }, REALM, T0), 'INVALID_RECORD');
    assert.equal(verifyRecord({ ...r, seq: 1.5 }, REALM, T0), 'INVALID_RECORD');
    assert.equal(verifyRecord({ ...r, sig: r.sig.subarray(1) }, REALM, T0), 'INVALID_RECORD');
    assert.equal(verifyRecord({ ...r, ttlMs: 0 }, REALM, T0), 'INVALID_RECORD'); // a tombstone has no value
    assert.equal(verifyRecord(null as never, REALM, T0), 'INVALID_RECORD');
  });

  it('signRecord refuses malformed fields with a DhtError', () => {
    const key = dhtKey('k');
    const ok = { key, value: new Uint8Array(1), seq: 1, issuedAt: T0, ttlMs: 1000 };
    assert.throws(() => signRecord(alice.signer, REALM, { ...ok, key: 'nope' }), DhtError);
    assert.throws(() => signRecord(alice.signer, REALM, { ...ok, seq: Number.NaN }), DhtError);
  });
});
