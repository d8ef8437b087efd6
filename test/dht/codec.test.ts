import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Packr } from 'msgpackr/pack';
import { Unpackr } from 'msgpackr/unpack';
import {
  DhtError,
  decodeFindValueReply,
  decodeFindValueRequest,
  decodeRecord,
  decodeStoreReply,
  decodeStoreRequest,
  encodeRecord,
  findValueRequest,
  sameRecord,
  storeRequest,
  verifyRecord,
} from '../../src/dht/index.js';
import { SeededRandom } from '../../src/runtime/index.js';
import { identity, REALM, record, T0 } from './fixtures.js';

const packr = new Packr({ useRecords: false, structuredClone: false });
const unpackr = new Unpackr({ useRecords: false, structuredClone: false, mapsAsObjects: true });
const wire = (v: unknown): unknown => unpackr.unpack(packr.pack(v));
const alice = identity();

/** Runs `f`; passes when it returns or throws a DhtError, fails on any other throw. */
function onlyDhtErrors(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof DhtError)) assert.fail(`threw ${String(err)} instead of a DhtError`);
  }
}

describe('dht wire codec', () => {
  it('a record survives MessagePack and still verifies', () => {
    const r = record(alice);
    const back = decodeRecord(wire(encodeRecord(r)));
    assert.ok(sameRecord(back, r));
    assert.equal(verifyRecord(back, REALM, T0), undefined);
    assert.equal(packr.pack(encodeRecord(r)).length < 300, true);
  });

  it('requests and replies round-trip', () => {
    const r = record(alice);
    const raws = decodeStoreRequest(wire(storeRequest([encodeRecord(r)])), 64);
    assert.ok(sameRecord(decodeRecord(raws[0]), r));
    assert.equal(decodeFindValueRequest(wire(findValueRequest(r.key))), r.key);
    assert.deepEqual(decodeStoreReply(wire({ results: ['OK', 'STALE'] }), 2), { results: ['OK', 'STALE'] });
    const fv = decodeFindValueReply(wire({ records: [encodeRecord(r)], contacts: [] }), 10);
    assert.equal(fv.records.length, 1);
    assert.equal(fv.truncated, false);
    assert.equal(decodeFindValueReply({ records: [1, 2, 3], contacts: [] }, 2).truncated, true);
  });

  it('names the rule a malformed record breaks', () => {
    const w = encodeRecord(record(alice));
    const code = (v: unknown) => {
      try {
        decodeRecord(v);
        return 'ok';
      } catch (e) {
        return (e as DhtError).code;
      }
    };
    assert.equal(code(w.slice(0, 7)), 'INVALID_RECORD');
    assert.equal(code([...w.slice(0, 3), new Uint8Array(5000), ...w.slice(4)]), 'TOO_LARGE');
    assert.equal(code([...w.slice(0, 4), 2n, ...w.slice(5)]), 'INVALID_RECORD');
    assert.equal(code([...w.slice(0, 4), 2 ** 53, ...w.slice(5)]), 'INVALID_RECORD');
    assert.equal(code([new Uint8Array(31), ...w.slice(1)]), 'INVALID_RECORD');
    assert.equal(code(['a'.repeat(64), ...w.slice(1)]), 'INVALID_RECORD');
    assert.equal(code({ length: 8 }), 'INVALID_RECORD');
    assert.throws(() => decodeStoreRequest({ records: new Array(65).fill(w) }, 64), { code: 'TOO_LARGE' });
    assert.throws(() => decodeStoreReply({ results: ['OK'] }, 2), { code: 'BAD_REPLY' });
    assert.throws(() => decodeStoreReply({ results: ['NOPE'] }, 1), { code: 'BAD_REPLY' });
    assert.throws(() => decodeFindValueRequest({ key: 'A'.repeat(64) }), { code: 'INVALID_KEY' });
  });

  it('decodes the copied bytes (a record never pins the received frame)', () => {
    const w = encodeRecord(record(alice));
    const r = decodeRecord(w);
    assert.notEqual(r.value.buffer, w[3].buffer);
    assert.notEqual(r.sig.buffer, w[7].buffer);
  });

  it('fuzz: arbitrary values only ever throw DhtError', () => {
    fc.assert(
      fc.property(
        fc.anything({ withTypedArray: true, withBigInt: true, withMap: true, withSet: true }),
        (v) => {
          onlyDhtErrors(() => decodeRecord(v));
          onlyDhtErrors(() => decodeStoreRequest(v, 64));
          onlyDhtErrors(() => decodeStoreRequest({ records: v }, 64));
          onlyDhtErrors(() => decodeFindValueRequest(v));
          onlyDhtErrors(() => decodeStoreReply(v, 1));
          onlyDhtErrors(() => decodeFindValueReply(v, 8));
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('fuzz: mutated records and random MessagePack bytes only ever throw DhtError', () => {
    const random = new SeededRandom(11);
    const base = packr.pack(encodeRecord(record(alice)));
    const samples = [
      fc.anything(),
      fc.constant(null),
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.uint8Array({ maxLength: 80 }),
      fc.bigInt(),
    ];
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      // Flip, drop or insert bytes of a valid encoding, then decode whatever msgpackr makes of it.
      const bytes = Uint8Array.from(base);
      for (let j = 0, n = 1 + random.int(4); j < n; j++) bytes[random.int(bytes.length)] = random.int(256);
      const cut = random.next() < 0.2 ? bytes.subarray(0, random.int(bytes.length)) : bytes;
      let v: unknown;
      try {
        v = unpackr.unpack(cut);
      } catch {
        continue; // not MessagePack at all: the transport's codec rejects it first
      }
      decoded++;
      onlyDhtErrors(() => decodeRecord(v));
    }
    assert.ok(decoded > 1000, `decoded ${decoded}`);
    // Each field replaced by a random value of another type.
    const w = encodeRecord(record(alice));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.oneof(...samples), (i, v) => {
        const m: unknown[] = [...w];
        m[i] = v;
        onlyDhtErrors(() => decodeRecord(m));
      }),
      { numRuns: 2000, seed: 3 },
    );
  });
});
