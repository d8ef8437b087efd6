/** Every decoding rule, one field at a time, on validly signed packets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePacket } from '../../src/membership/codec.js';
import { extPackr, getPeers, hexBytes, opts, pingBody, rawPacket, wireError } from './codec-fixtures.js';

const [p, q] = await getPeers();
const id = hexBytes(p!.id);
const key = p!.key;
const good = pingBody(p!, q!);
const aliveWire = (over: Record<number, unknown> = {}, extra: unknown[] = []) => {
  const u: unknown[] = [0, id, 1, ['10.0.0.1', 4433], key, 'n'];
  for (const [i, v] of Object.entries(over)) u[Number(i)] = v;
  return [...u, ...extra];
};
/** The ping body with element `i` replaced by `v`. */
const withField = (i: number, v: unknown) => good.map((x, j) => (j === i ? v : x));
const withUpdates = (...us: unknown[]) => withField(6, us);
const decode = (body: unknown) => decodePacket(rawPacket(body, p!), opts);
const malformed = (body: unknown) => assert.throws(() => decode(body), wireError('MALFORMED'));

const BAD_IDS = [id.subarray(1), new Uint8Array(33), p!.id, null, 5, [...id]];
const BAD_U32 = [-1, 2 ** 32, 1.5, Number.NaN, '1', null, true, 2n ** 40n, new Date(0)];
const BAD_HOSTS = ['', 'h'.repeat(254), 'a b', 'hé', 'a\n', 7, null, new Uint8Array(3)];
const BAD_PORTS = [-1, 65536, 1.5, '80', null];
const BAD_NAMES = ['x'.repeat(65), 3, null, new Uint8Array(1), ['n']];

describe('membership packet validation', () => {
  it('accepts the unmodified fixtures', () => {
    assert.equal(decode(good).msg.t, 'ping');
    assert.equal(decode(withUpdates(aliveWire())).msg.updates.length, 1);
    const maxAlive = aliveWire({ 2: 2 ** 32 - 1, 3: ['h'.repeat(253), 65535], 5: '字'.repeat(64) });
    assert.equal(decode(withUpdates(maxAlive)).msg.updates.length, 1);
    assert.equal(decode(withUpdates(aliveWire({ 3: ['h', 0] }).slice(0, 5))).msg.updates.length, 1);
  });

  it('envelope: shape, realm, ids, key, kind and seq', () => {
    assert.throws(() => decode(withField(0, 'com.other.mesh')), wireError('WRONG_REALM'));
    for (const bad of [1, null, hexBytes('00')]) malformed(withField(0, bad));
    for (const bad of BAD_IDS) malformed(withField(1, bad));
    for (const bad of BAD_IDS) malformed(withField(2, bad)); // the key
    for (const bad of BAD_IDS) malformed(withField(5, bad)); // the target
    for (const bad of [4, 255, -1, 'ping', null, 0.5]) malformed(withField(3, bad));
    for (const bad of BAD_U32) malformed(withField(4, bad));
    malformed([...good, []]); // trailing element
    malformed(good.slice(0, 6)); // ping without its target
    malformed([good[0], id, key, 1, 0, hexBytes(q!.id), []]); // ack with an extra field
    malformed([good[0], id, key, 2, 0, hexBytes(q!.id), []]); // ping-req without addr
    assert.deepEqual(decode([good[0], id, key, 4, []]).msg, { t: 'gossip', updates: [] });
    malformed([good[0], id, key, 4, 0, []]); // gossip has no seq
    malformed([good[0], id, key, 1, []]); // ack without its seq
    malformed(withField(6, null));
    malformed(withField(6, { 0: aliveWire() }));
    malformed({ realm: good[0] });
    malformed('not an array');
    malformed(null);
  });

  it('ping-req address: [host, port], strictly', () => {
    const pingReq = (addr: unknown) => [good[0], id, key, 2, 9, hexBytes(q!.id), addr, []];
    assert.deepEqual(decode(pingReq(['fe80::1%eth0', 1])).msg, {
      t: 'ping-req',
      seq: 9,
      target: q!.id,
      addr: { host: 'fe80::1%eth0', port: 1 },
      updates: [],
    });
    for (const host of BAD_HOSTS) malformed(pingReq([host, 1]));
    for (const port of BAD_PORTS) malformed(pingReq(['h', port]));
    malformed(pingReq(['h', 1, 2]));
    malformed(pingReq(['h']));
    malformed(pingReq({ host: 'h', port: 1 }));
  });

  it('alive updates', () => {
    for (const bad of BAD_IDS) malformed(withUpdates(aliveWire({ 1: bad })));
    for (const bad of BAD_U32) malformed(withUpdates(aliveWire({ 2: bad })));
    for (const host of BAD_HOSTS) malformed(withUpdates(aliveWire({ 3: [host, 1] })));
    for (const port of BAD_PORTS) malformed(withUpdates(aliveWire({ 3: ['h', port] })));
    for (const bad of BAD_IDS) malformed(withUpdates(aliveWire({ 4: bad })));
    for (const bad of BAD_NAMES) malformed(withUpdates(aliveWire({ 5: bad })));
    malformed(withUpdates(aliveWire({}, ['extra'])));
    malformed(withUpdates(aliveWire().slice(0, 4)));
  });

  it('suspect, dead and left updates', () => {
    for (const kind of [1, 2]) {
      assert.equal(
        decode(withUpdates([kind, id, 0, hexBytes(q!.id)])).msg.updates[0]?.t,
        kind === 1 ? 'suspect' : 'dead',
      );
      for (const bad of BAD_IDS) malformed(withUpdates([kind, id, 0, bad]));
      for (const bad of BAD_IDS) malformed(withUpdates([kind, bad, 0, id]));
      for (const bad of BAD_U32) malformed(withUpdates([kind, id, bad, id]));
      malformed(withUpdates([kind, id, 0]));
      malformed(withUpdates([kind, id, 0, id, 0]));
    }
    assert.equal(decode(withUpdates([3, id, 0])).msg.updates[0]?.t, 'left');
    malformed(withUpdates([3, id, 0, id]));
    for (const bad of BAD_U32) malformed(withUpdates([3, id, bad]));
  });

  it('unknown update kinds and non-array updates', () => {
    for (const kind of [4, 127, -1, 'alive', null, 1.5]) malformed(withUpdates([kind, id, 0]));
    for (const bad of [null, 3, 'u', {}, [], [0]]) malformed(withUpdates(bad));
  });

  it('at most 64 updates', () => {
    const left = [3, id, 0];
    assert.equal(decode(withUpdates(...new Array(64).fill(left))).msg.updates.length, 64);
    assert.throws(() => decode(withUpdates(...new Array(65).fill(left))), wireError('TOO_LARGE'));
  });

  it('MessagePack extensions and maps never pass as fields', () => {
    const ext = (body: unknown) =>
      assert.throws(
        () => decodePacket(rawPacket(body, p!, undefined, extPackr), opts),
        wireError('MALFORMED'),
      );
    ext(withField(4, new Date(0))); // ext -1, decoded as a Date
    ext(withField(6, new Set([aliveWire()]))); // ext 0x73, decoded as a Set
    ext(withField(0, /org.example.mesh/)); // ext 0x78, decoded as a RegExp
    ext(withField(4, new Error('x'))); // ext 0x65
    ext(withUpdates(aliveWire({ 4: new Uint16Array(16) }))); // ext 0x74, a 32-byte typed array
    ext(withUpdates(aliveWire({ 3: new Map([['host', 'h']]) }))); // a map, decoded as an object
    ext(withUpdates(aliveWire({ 3: new Set(['h', 1]) })));
  });
});
