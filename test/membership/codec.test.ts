import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodePacket,
  encodePacket,
  MEMBERSHIP_MAGIC,
  MEMBERSHIP_WIRE_VERSION,
  type PacketEnvelope,
} from '../../src/membership/codec.js';
import {
  getPeers,
  opts,
  REALM,
  rawPacket,
  sampleMessages,
  sampleUpdates,
  verify,
  wireError,
} from './codec-fixtures.js';

describe('membership packet codec', () => {
  it('round-trips every message kind carrying every update kind', async () => {
    const [p, q] = await getPeers();
    for (const msg of sampleMessages(p!, q!)) {
      const bytes = encodePacket(p!.env, msg, p!.sign);
      assert.equal(bytes[0], MEMBERSHIP_MAGIC);
      assert.equal(bytes[1], MEMBERSHIP_WIRE_VERSION);
      const out = decodePacket(bytes, opts);
      assert.equal(out.from, p!.id);
      assert.deepEqual(out.key, p!.key);
      assert.deepEqual(out.msg, msg);
    }
  });

  it('decodes keys as plain Uint8Arrays that do not alias the datagram', async () => {
    const [p, q] = await getPeers();
    const bytes = encodePacket(p!.env, { t: 'ack', seq: 1, updates: sampleUpdates(p!, q!) }, p!.sign);
    const out = decodePacket(bytes, opts);
    assert.equal(Object.getPrototypeOf(out.key), Uint8Array.prototype);
    assert.notEqual(out.key.buffer, bytes.buffer);
    const alive = out.msg.updates[0];
    assert.ok(alive?.t === 'alive' && alive.key.buffer !== bytes.buffer);
  });

  it('flipping any bit of a packet makes it fail, mostly as BAD_SIGNATURE', async () => {
    const [p, q] = await getPeers();
    const msg = sampleMessages(p!, q!)[2]!;
    const bytes = encodePacket(p!.env, msg, p!.sign);
    const codes = new Map<string, number>();
    for (let i = 0; i < bytes.length; i++) {
      const bad = Uint8Array.from(bytes);
      bad[i]! ^= 1 << (i % 8);
      try {
        decodePacket(bad, opts);
        assert.fail(`byte ${i} flipped and still accepted`);
      } catch (e) {
        const code = (e as { code: string }).code;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    // Every signature byte and most body bytes (e.g. inside ids, names) only break the signature.
    assert.ok((codes.get('BAD_SIGNATURE') ?? 0) > bytes.length / 2, JSON.stringify([...codes]));
    const sigStart = bytes.length - 64;
    // A signature byte, and one inside the ping-req target id.
    for (const i of [sigStart, bytes.length - 1, 100]) {
      const bad = Uint8Array.from(bytes);
      bad[i]! ^= 0x80;
      assert.throws(() => decodePacket(bad, opts), wireError('BAD_SIGNATURE'));
    }
  });

  it('refuses a key that does not hash to the sender id (BAD_KEY)', async () => {
    const [p, q] = await getPeers();
    // q's key and q's signature, but claiming p's id.
    const env = { realm: REALM, from: p!.id, key: q!.key };
    const bytes = encodePacket(env, { t: 'ack', seq: 1, updates: [] }, q!.sign);
    assert.throws(() => decodePacket(bytes, opts), wireError('BAD_KEY'));
    // p's id and key, signed by q.
    const forged = encodePacket(p!.env, { t: 'ack', seq: 1, updates: [] }, q!.sign);
    assert.throws(() => decodePacket(forged, opts), wireError('BAD_SIGNATURE'));
  });

  it('refuses a packet for another realm (WRONG_REALM)', async () => {
    const [p] = await getPeers();
    const bytes = encodePacket(
      { ...p!.env, realm: 'com.other.mesh' },
      { t: 'ack', seq: 1, updates: [] },
      p!.sign,
    );
    assert.throws(() => decodePacket(bytes, opts), wireError('WRONG_REALM'));
    assert.equal(decodePacket(bytes, { realm: 'com.other.mesh', verify }).from, p!.id);
  });

  it('checks the magic and version bytes and the packet length', async () => {
    const [p, q] = await getPeers();
    const good = encodePacket(p!.env, sampleMessages(p!, q!)[0]!, p!.sign);
    const withByte = (i: number, v: number) => {
      const b = Uint8Array.from(good);
      b[i] = v;
      return b;
    };
    assert.throws(() => decodePacket(withByte(0, 0x1e), opts), wireError('BAD_MAGIC'));
    assert.throws(() => decodePacket(withByte(1, 2), opts), wireError('BAD_VERSION'));
    assert.throws(() => decodePacket(withByte(1, 0), opts), wireError('BAD_VERSION'));
    assert.throws(() => decodePacket(new Uint8Array(0), opts), wireError('BAD_MAGIC'));
    assert.throws(() => decodePacket(Uint8Array.of(0x1d), opts), wireError('MALFORMED'));
    assert.throws(() => decodePacket(good.subarray(0, 66), opts), wireError('MALFORMED'));
    assert.throws(() => decodePacket(good.subarray(0, good.length - 1), opts), wireError('MALFORMED'));
    assert.throws(() => decodePacket(new Uint8Array(64 * 1024 + 1).fill(0x1d), opts), wireError('TOO_LARGE'));
    // A body followed by trailing bytes before the signature.
    const body = good.subarray(2, good.length - 64);
    const trailing = rawPacket(null, p!);
    const padded = new Uint8Array(2 + body.length + 1 + 64);
    padded.set(good.subarray(0, 2 + body.length));
    padded[2 + body.length] = 0xc0;
    assert.throws(() => decodePacket(padded, opts), wireError('MALFORMED'));
    assert.throws(() => decodePacket(trailing, opts), wireError('MALFORMED'));
  });

  it('encoding refuses what a receiver would refuse', async () => {
    const [p, q] = await getPeers();
    const enc = (msg: unknown, env: unknown = p!.env) =>
      encodePacket(env as PacketEnvelope, msg as Parameters<typeof encodePacket>[1], p!.sign);
    const ping = { t: 'ping', seq: 1, target: q!.id, updates: [] };
    enc(ping);
    assert.throws(() => enc({ ...ping, target: q!.id.toUpperCase() }), wireError('MALFORMED'));
    assert.throws(() => enc({ ...ping, seq: -1 }), wireError('MALFORMED'));
    assert.throws(() => enc({ ...ping, seq: 2 ** 32 }), wireError('MALFORMED'));
    assert.throws(() => enc({ ...ping, t: 'pong' }), wireError('MALFORMED'));
    assert.throws(() => enc(ping, { ...p!.env, key: p!.key.subarray(1) }), wireError('MALFORMED'));
    assert.throws(() => enc(ping, { ...p!.env, from: 'ab' }), wireError('MALFORMED'));
    const alive = sampleUpdates(p!, q!)[0]!;
    const withUpdate = (u: unknown) => enc({ ...ping, updates: [u] });
    assert.throws(() => withUpdate({ ...alive, addr: { host: '', port: 1 } }), wireError('MALFORMED'));
    assert.throws(() => withUpdate({ ...alive, addr: { host: 'a b', port: 1 } }), wireError('MALFORMED'));
    assert.throws(() => withUpdate({ ...alive, addr: { host: 'h', port: 65536 } }), wireError('MALFORMED'));
    assert.throws(() => withUpdate({ ...alive, name: 'x'.repeat(65) }), wireError('MALFORMED'));
    assert.throws(() => withUpdate({ ...alive, inc: 1.5 }), wireError('MALFORMED'));
    assert.throws(() => withUpdate({ ...alive, t: 'gone' }), wireError('MALFORMED'));
    assert.throws(() => withUpdate(null), wireError('MALFORMED'));
    assert.throws(() => enc({ ...ping, updates: new Array(65).fill(alive) }), wireError('TOO_LARGE'));
    enc({ ...ping, updates: new Array(64).fill(alive) });
    assert.throws(
      () => encodePacket(p!.env, { t: 'ack', seq: 1, updates: [] }, () => new Uint8Array(63)),
      wireError('BAD_SIGNATURE'),
    );
  });
});
