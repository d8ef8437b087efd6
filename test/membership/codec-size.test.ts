/** updateSize / messageOverhead against what encodePacket really produces, and round trips of random messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodePacket, encodePacket, messageOverhead, updateSize } from '../../src/membership/codec.js';
import type { SwimMessage, Update } from '../../src/membership/types.js';
import { getPeers, REALM, verify } from './codec-fixtures.js';

const [p] = await getPeers();
const LONG_REALM = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
const realm = fc.constantFrom(REALM, 'a.b', LONG_REALM);

const u32 = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
const hexId = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
const utf16Unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
// Built by hand: fc's 'binary' unit takes over a second to initialise.
const astralUnit = fc.integer({ min: 0x1_0000, max: 0x10_ffff }).map((c) => String.fromCodePoint(c));
const host = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 253,
  size: 'max',
});
const addr = fc.record({ host, port: fc.integer({ min: 0, max: 65535 }) }, { noNullPrototype: true });

function updateArb(nameUnit: 'grapheme' | 'binary'): fc.Arbitrary<Update> {
  const name =
    nameUnit === 'grapheme'
      ? fc.string({ unit: 'grapheme', maxLength: 64 }).filter((s) => s.length <= 64)
      : fc.oneof(
          fc.string({ unit: fc.oneof(utf16Unit, astralUnit), maxLength: 32, size: 'max' }), // astral: 2 UTF-16 units
          fc.string({ unit: utf16Unit, maxLength: 64, size: 'max' }), // lone surrogates included
        );
  return fc.oneof(
    fc.record(
      { t: fc.constant('alive' as const), id: hexId, inc: u32, addr, key, name },
      { requiredKeys: ['t', 'id', 'inc', 'addr', 'key'], noNullPrototype: true },
    ),
    fc.record(
      { t: fc.constantFrom('suspect' as const, 'dead' as const), id: hexId, inc: u32, from: hexId },
      { noNullPrototype: true },
    ),
    fc.record({ t: fc.constant('left' as const), id: hexId, inc: u32 }, { noNullPrototype: true }),
  );
}

function messageArb(nameUnit: 'grapheme' | 'binary'): fc.Arbitrary<SwimMessage> {
  const updates = fc.array(updateArb(nameUnit), { maxLength: 64, size: 'max' });
  return fc.oneof(
    fc.record(
      { t: fc.constant('ping' as const), seq: u32, target: hexId, updates },
      { noNullPrototype: true },
    ),
    fc.record(
      { t: fc.constantFrom('ack' as const, 'nack' as const), seq: u32, updates },
      { noNullPrototype: true },
    ),
    fc.record({ t: fc.constant('gossip' as const), updates }, { noNullPrototype: true }),
    fc.record(
      { t: fc.constant('ping-req' as const), seq: u32, target: hexId, addr, updates },
      { noNullPrototype: true },
    ),
  );
}

describe('membership packet sizes', () => {
  it('overhead + Σ updateSize bounds the packet: exact from 16 updates, 2 bytes high below', () => {
    let large = 0;
    fc.assert(
      fc.property(realm, messageArb('binary'), (r, msg) => {
        if (msg.updates.length >= 16) large++;
        const bytes = encodePacket({ ...p!.env, realm: r }, msg, p!.sign);
        const bound = messageOverhead(r, msg) + msg.updates.reduce((n, u) => n + updateSize(u), 0);
        assert.equal(bytes.length, bound - (msg.updates.length < 16 ? 2 : 0));
      }),
      { numRuns: 300 },
    );
    assert.ok(large > 100, `only ${large} runs with 16 or more updates`);
  });

  it('random messages round-trip', () => {
    fc.assert(
      fc.property(realm, messageArb('grapheme'), (r, msg) => {
        const bytes = encodePacket({ ...p!.env, realm: r }, msg, p!.sign);
        assert.deepEqual(decodePacket(bytes, { realm: r, verify }).msg, msg);
      }),
      { numRuns: 200 },
    );
  });

  it('filling a datagram up to a budget never overshoots it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 1400 }),
        messageArb('binary'),
        fc.array(updateArb('binary'), { maxLength: 80 }),
        (budget, msg, pool) => {
          const updates: Update[] = [];
          let used = messageOverhead(REALM, msg);
          for (const u of pool) {
            if (updates.length === 64 || used + updateSize(u) > budget) break;
            updates.push(u);
            used += updateSize(u);
          }
          if (used > budget) return; // the bare message does not fit: nothing to check
          assert.ok(encodePacket(p!.env, { ...msg, updates }, p!.sign).length <= budget);
        },
      ),
      { numRuns: 200 },
    );
  });
});
