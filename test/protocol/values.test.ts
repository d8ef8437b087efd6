// encodeValue / decodeValue / decodeOwnedValue (src/protocol/codec.ts): the payload codec
// pub/sub uses for a message's own bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeOwnedValue, decodeValue, encodeValue } from '../../src/protocol/index.js';
import { expectCode } from './helpers.js';

const values: unknown[] = [
  null,
  0,
  -1,
  2 ** 40,
  12345678901234567890n,
  'hello',
  '',
  [1, 'two', [3]],
  { a: 1, b: { c: 'd' } },
  new Uint8Array(0),
  new Uint8Array([1, 2, 3]),
  new Uint8Array(300).fill(7),
  new Uint8Array(70_000).fill(9),
  { bytes: new Uint8Array([5, 6]), list: [new Uint8Array([7])] },
  new Date(1_700_000_000_000),
];

describe('payload values', () => {
  it('decodeOwnedValue gives what decodeValue gives, for every kind of value', () => {
    for (const v of values) {
      // A plain Uint8Array, as the frame decoder hands a message's payload bytes on.
      const bytes = new Uint8Array(encodeValue(v));
      assert.deepEqual(decodeOwnedValue(bytes), decodeValue(bytes), String(v));
      assert.deepEqual(decodeOwnedValue(bytes), v instanceof Uint8Array ? new Uint8Array(v) : v);
    }
  });

  it('binary from decodeOwnedValue is a plain Uint8Array, from a Buffer too', () => {
    const fromBuffer = decodeOwnedValue(Buffer.from(encodeValue(new Uint8Array([1]))));
    assert.equal(Object.getPrototypeOf(fromBuffer), Uint8Array.prototype);
  });

  it('binary from decodeOwnedValue is a view into the bytes; decodeValue copies', () => {
    const bytes = new Uint8Array(encodeValue(new Uint8Array([1, 2, 3])));
    const view = decodeOwnedValue(bytes) as Uint8Array;
    const copy = decodeValue(bytes) as Uint8Array;
    assert.equal(view.buffer, bytes.buffer);
    assert.equal(view.byteOffset, 2); // after the bin8 header
    assert.notEqual(copy.buffer, bytes.buffer);
    bytes[2] = 42;
    assert.equal(view[0], 42);
    assert.equal(copy[0], 1);
  });

  it('decodeOwnedValue refuses what decodeValue refuses, as BAD_PAYLOAD', () => {
    const good = encodeValue({ a: 1 });
    const bad = [
      new Uint8Array(0),
      new Uint8Array([0xc1]),
      good.subarray(0, good.byteLength - 1),
      new Uint8Array([...good, 0]),
      new Uint8Array([0xc4, 5, 1]),
    ];
    for (const b of bad) {
      expectCode(() => decodeValue(b), 'BAD_PAYLOAD');
      expectCode(() => decodeOwnedValue(b), 'BAD_PAYLOAD');
    }
  });
});
