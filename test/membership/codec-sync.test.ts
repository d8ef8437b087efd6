import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Packr } from 'msgpackr/pack';
import { DEFAULT_MAX_SYNC_ENTRIES, decodeSync, encodeSync } from '../../src/membership/codec.js';
import type { SyncEntry } from '../../src/membership/types.js';
import { getPeers, hexBytes, wireError } from './codec-fixtures.js';

const [p, q] = await getPeers();
const packr = new Packr({ useRecords: false, structuredClone: false });
const entries: SyncEntry[] = [
  { id: p!.id, inc: 0, state: 'alive', addr: { host: '10.0.0.1', port: 4433 }, key: p!.key, name: 'self' },
  { id: q!.id, inc: 2 ** 32 - 1, state: 'suspect', addr: { host: 'fe80::1%eth0', port: 0 }, key: q!.key },
  { id: q!.id, inc: 7, state: 'dead', addr: { host: 'h', port: 65535 }, key: q!.key, name: '' },
  {
    id: p!.id,
    inc: 300,
    state: 'left',
    addr: { host: 'x.example', port: 1 },
    key: p!.key,
    name: 'n'.repeat(64),
  },
];
const entryWire = (over: Record<number, unknown> = {}) => {
  const e: unknown[] = [hexBytes(p!.id), 1, 0, ['h', 1], p!.key];
  for (const [i, v] of Object.entries(over)) e[Number(i)] = v;
  return e;
};
const decodeRaw = (v: unknown, max?: number) =>
  decodeSync(packr.pack(v), max === undefined ? undefined : { maxEntries: max });
const malformed = (v: unknown) => assert.throws(() => decodeRaw(v), wireError('MALFORMED'));

describe('membership sync codec', () => {
  it('round-trips every member state, with and without names', () => {
    for (const join of [true, false]) {
      assert.deepEqual(decodeSync(encodeSync({ entries, join })), { entries, join });
    }
    assert.deepEqual(decodeSync(encodeSync({ entries: [], join: false })), { entries: [], join: false });
  });

  it('refuses a bad version, shape or join flag', () => {
    assert.throws(() => decodeRaw([2, true, []]), wireError('BAD_VERSION'));
    assert.throws(() => decodeRaw([0, true, []]), wireError('BAD_VERSION'));
    malformed([1, true, [], 0]);
    malformed([1, true]);
    malformed([1, 1, []]);
    malformed([1, true, {}]);
    malformed({ entries: [], join: true });
    malformed(null);
    assert.throws(() => decodeSync(new Uint8Array(0)), wireError('MALFORMED'));
    assert.throws(() => decodeSync(Uint8Array.of(0x93, 0x01, 0xc3)), wireError('MALFORMED'));
    assert.throws(() => decodeSync(Uint8Array.of(0x93, 0x01, 0xc3, 0x90, 0x00)), wireError('MALFORMED'));
  });

  it('refuses invalid entries', () => {
    decodeRaw([1, false, [entryWire()]]);
    for (const bad of [new Uint8Array(31), p!.id, null]) malformed([1, false, [entryWire({ 0: bad })]]);
    for (const bad of [-1, 2 ** 32, 0.5, '1']) malformed([1, false, [entryWire({ 1: bad })]]);
    for (const bad of [4, -1, 'alive', null]) malformed([1, false, [entryWire({ 2: bad })]]);
    for (const bad of [['', 1], ['h', 70000], ['h'], ['a b', 1], { host: 'h', port: 1 }]) {
      malformed([1, false, [entryWire({ 3: bad })]]);
    }
    for (const bad of [new Uint8Array(33), null]) malformed([1, false, [entryWire({ 4: bad })]]);
    for (const bad of ['x'.repeat(65), 1, null]) malformed([1, false, [entryWire({ 5: bad })]]);
    malformed([1, false, [[...entryWire(), 'name', 'extra']]]);
    malformed([1, false, [entryWire().slice(0, 4)]]);
  });

  it('caps the number of entries', () => {
    const three = [entryWire(), entryWire(), entryWire()];
    assert.equal(decodeRaw([1, false, three], 3).entries.length, 3);
    assert.throws(() => decodeRaw([1, false, three], 2), wireError('TOO_LARGE'));
    assert.equal(DEFAULT_MAX_SYNC_ENTRIES, 200_000);
    // Counted before any entry is looked at, so junk entries still give TOO_LARGE.
    assert.throws(() => decodeRaw([1, false, new Array(200_001).fill(0)]), wireError('TOO_LARGE'));
  });

  it('encoding refuses invalid states', () => {
    const enc = (s: unknown) => encodeSync(s as Parameters<typeof encodeSync>[0]);
    assert.throws(() => enc({ entries, join: 1 }), wireError('MALFORMED'));
    assert.throws(() => enc({ entries: null, join: true }), wireError('MALFORMED'));
    assert.throws(
      () => enc({ entries: [{ ...entries[0], state: 'gone' }], join: true }),
      wireError('MALFORMED'),
    );
    assert.throws(
      () => enc({ entries: [{ ...entries[0], key: new Uint8Array(3) }], join: true }),
      wireError('MALFORMED'),
    );
  });
});
