import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  commonPrefixLength,
  InvalidArgumentError,
  InvalidNodeIdError,
  MaculaError,
  NodeId,
  xorDistance,
} from '../../src/core/index.js';

const hexOf = (fill: string) => fill.repeat(64).slice(0, 64);

describe('NodeId', () => {
  it('is the SHA-256 of the public key DER', () => {
    const spki = new Uint8Array([0x30, 0x2a, 1, 2, 3]);
    const id = NodeId.fromPublicKey(spki);
    assert.equal(id.hex, createHash('sha256').update(spki).digest('hex'));
    assert.equal(id.toString(), id.hex);
    assert.equal(JSON.stringify({ id }), `{"id":"${id.hex}"}`);
    assert.equal(id.short, id.hex.slice(0, 8));
  });

  it('round-trips through hex and bytes, normalising case', () => {
    const hex = 'AbCdEf0123456789'.repeat(4);
    const id = NodeId.fromHex(hex);
    assert.equal(id.hex, hex.toLowerCase());
    assert.ok(NodeId.fromBytes(id.bytes).equals(id));
    assert.ok(NodeId.fromHex(id.hex).equals(id));
    assert.ok(!id.equals(NodeId.fromHex(hexOf('0'))));
  });

  it('hands out defensive copies of its bytes', () => {
    const raw = new Uint8Array(32).fill(7);
    const id = NodeId.fromBytes(raw);
    raw[0] = 0;
    const b = id.bytes;
    b[1] = 0;
    assert.equal(id.bytes[0], 7);
    assert.equal(id.bytes[1], 7);
  });

  for (const [input, why] of [
    ['', 'empty'],
    [hexOf('a').slice(0, 63), '63 chars'],
    [`${hexOf('a')}0`, '65 chars'],
    [`${hexOf('a').slice(0, 63)}g`, 'non-hex char'],
    [` ${hexOf('a').slice(1)}`, 'space'],
  ] as const) {
    it(`refuses hex: ${why}`, () => {
      assert.throws(
        () => NodeId.fromHex(input),
        (e: unknown) =>
          e instanceof InvalidNodeIdError &&
          e instanceof InvalidArgumentError &&
          e instanceof MaculaError &&
          e.code === 'INVALID_NODE_ID' &&
          /64 hex/.test(e.message),
      );
    });
  }

  it('refuses wrong byte lengths and an empty key', () => {
    assert.throws(() => NodeId.fromBytes(new Uint8Array(31)), /32 bytes, got 31 bytes/);
    assert.throws(() => NodeId.fromPublicKey(new Uint8Array(0)), InvalidNodeIdError);
  });

  it('orders as big-endian integers', () => {
    const ids = ['ff', '00', '80', '01'].map((b) => NodeId.fromHex(b + hexOf('0').slice(2)));
    const sorted = [...ids].sort(NodeId.compare).map((i) => i.hex.slice(0, 2));
    assert.deepEqual(sorted, ['00', '01', '80', 'ff']);
    assert.equal(NodeId.compare(ids[0]!, NodeId.fromHex(ids[0]!.hex)), 0);
  });
});

describe('xorDistance and commonPrefixLength', () => {
  const zero = NodeId.fromHex(hexOf('0'));
  const table: [string, number][] = [
    [hexOf('0'), 256],
    [`8${hexOf('0').slice(1)}`, 0],
    [`4${hexOf('0').slice(1)}`, 1],
    [`01${hexOf('0').slice(2)}`, 7],
    [`0080${hexOf('0').slice(4)}`, 8],
    [`${hexOf('0').slice(0, 63)}1`, 255],
    [hexOf('f'), 0],
  ];
  for (const [hex, bits] of table) {
    it(`0…0 vs ${hex.slice(0, 6)}…${hex.slice(-2)} share ${bits} bits`, () => {
      const other = NodeId.fromHex(hex);
      assert.equal(commonPrefixLength(zero, other), bits);
      assert.equal(commonPrefixLength(other, zero), bits);
      assert.equal(Buffer.from(xorDistance(zero, other)).toString('hex'), hex);
    });
  }

  it('is symmetric, zero on itself, and obeys the XOR triangle identity', () => {
    const a = NodeId.fromPublicKey(new Uint8Array([1]));
    const b = NodeId.fromPublicKey(new Uint8Array([2]));
    const c = NodeId.fromPublicKey(new Uint8Array([3]));
    assert.deepEqual(xorDistance(a, b), xorDistance(b, a));
    assert.deepEqual(xorDistance(a, a), new Uint8Array(32));
    const ab = xorDistance(a, b);
    const bc = xorDistance(b, c);
    const ac = xorDistance(a, c);
    assert.deepEqual(
      ab.map((x, i) => x ^ bc[i]!),
      ac,
    );
  });
});
