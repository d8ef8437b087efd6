import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  decodeFrame,
  encodeFrame,
  encodeFrameInto,
  FrameDecoder,
  FrameFlags,
  FrameType,
  frameTypeName,
  MAX_FRAME_PAYLOAD,
  ProtocolError,
  ReservedRanges,
  typeClass,
} from '../../src/protocol/index.js';
import { concat, expectCode, normalize, rawHeader } from './helpers.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('frame header layout', () => {
  const table: { name: string; type: number; payload: unknown; bytes: string }[] = [
    { name: 'PING null', type: FrameType.PING, payload: null, bytes: '01 04 0000 00000001 c0' },
    { name: 'HEARTBEAT 7', type: FrameType.HEARTBEAT, payload: 7, bytes: '01 03 0000 00000001 07' },
    { name: 'PUBLISH "hi"', type: FrameType.PUBLISH, payload: 'hi', bytes: '01 10 0000 00000003 a26869' },
    {
      name: 'RPC_CAST bin',
      type: FrameType.RPC_CAST,
      payload: new Uint8Array([9]),
      bytes: '01 23 0000 00000003 c40109',
    },
    { name: 'reserved NAT', type: 0x61, payload: true, bytes: '01 61 0000 00000001 c3' },
  ];
  for (const row of table) {
    it(`encodes ${row.name} to the exact bytes`, () => {
      const frame = encodeFrame(row.type, row.payload);
      assert.equal(hex(frame), row.bytes.replaceAll(' ', ''));
      const back = decodeFrame(frame);
      assert.deepEqual(normalize(back), {
        version: 1,
        type: row.type,
        flags: 0,
        payload: normalize(row.payload),
      });
    });
  }

  it('writes the length big-endian in bytes 4..7', () => {
    const frame = encodeFrame(FrameType.EVENT, new Uint8Array(0x10203));
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    assert.equal(view.getUint32(4), frame.byteLength - 8);
    assert.equal(frame.byteLength - 8, 0x10203 + 5); // bin32 header
  });
});

describe('frame types', () => {
  it('every defined type round-trips and has its name', () => {
    for (const [name, type] of Object.entries(FrameType)) {
      const back = decodeFrame(encodeFrame(type, { n: type }));
      assert.equal(back.type, type);
      assert.deepEqual(back.payload, { n: type });
      assert.equal(frameTypeName(type), name);
      assert.equal(typeClass(type), 'defined');
    }
  });

  it('every reserved-range type passes through', () => {
    for (const [range, { first, last }] of Object.entries(ReservedRanges)) {
      for (let t = first; t <= last; t++) {
        assert.equal(decodeFrame(encodeFrame(t, 1)).type, t);
        assert.equal(typeClass(t), 'reserved');
        assert.match(frameTypeName(t), new RegExp(`^RESERVED_${range}`));
      }
    }
  });

  it('types outside known and reserved ranges are rejected on both sides', () => {
    const defined = new Set<number>(Object.values(FrameType));
    let checked = 0;
    for (let t = 0; t < 256; t++) {
      if (defined.has(t) || typeClass(t) === 'reserved') continue;
      checked++;
      expectCode(() => decodeFrame(concat([rawHeader(1, t, 0, 1), new Uint8Array([0xc0])])), 'UNKNOWN_TYPE');
      expectCode(() => encodeFrame(t, null), 'UNKNOWN_TYPE');
      assert.match(frameTypeName(t), /^UNKNOWN/);
    }
    assert.ok(checked > 100);
    expectCode(() => encodeFrame(256, null), 'UNKNOWN_TYPE');
    expectCode(() => encodeFrame(1.5, null), 'UNKNOWN_TYPE');
  });
});

describe('header validation', () => {
  const body = new Uint8Array([0xc0]);
  it('rejects unknown versions', () => {
    for (const v of [0, 2, 255])
      expectCode(() => decodeFrame(concat([rawHeader(v, 4, 0, 1), body])), 'BAD_VERSION');
  });
  it('rejects undefined flag bits', () => {
    for (let bit = 2; bit < 16; bit++) {
      expectCode(() => decodeFrame(concat([rawHeader(1, 4, 1 << bit, 1), body])), 'BAD_FLAGS');
    }
  });
  it('rejects the fragmented flag until fragmentation exists', () => {
    expectCode(
      () => decodeFrame(concat([rawHeader(1, 4, FrameFlags.FRAGMENTED, 1), body])),
      'FRAGMENTED_UNSUPPORTED',
    );
    expectCode(
      () => new FrameDecoder().push(rawHeader(1, 4, FrameFlags.FRAGMENTED, 1)),
      'FRAGMENTED_UNSUPPORTED',
    );
  });
  it('rejects bad payloads: empty, truncated, trailing bytes, 0xc1', () => {
    expectCode(() => decodeFrame(rawHeader(1, 4, 0, 0)), 'BAD_PAYLOAD');
    expectCode(() => decodeFrame(concat([rawHeader(1, 4, 0, 2), new Uint8Array([0x92, 1])])), 'BAD_PAYLOAD');
    expectCode(() => decodeFrame(concat([rawHeader(1, 4, 0, 2), new Uint8Array([1, 2])])), 'BAD_PAYLOAD');
    expectCode(() => decodeFrame(concat([rawHeader(1, 4, 0, 1), new Uint8Array([0xc1])])), 'BAD_PAYLOAD');
  });
  it('decodeFrame rejects missing and extra bytes', () => {
    const frame = encodeFrame(FrameType.PING, 'x');
    expectCode(() => decodeFrame(frame.subarray(0, 5)), 'BAD_PAYLOAD');
    expectCode(() => decodeFrame(frame.subarray(0, frame.length - 1)), 'BAD_PAYLOAD');
    expectCode(() => decodeFrame(concat([frame, new Uint8Array([0])])), 'BAD_PAYLOAD');
  });
  it('renames a __proto__ key instead of polluting prototypes', () => {
    const payload = JSON.parse('{"__proto__": {"polluted": 1}}') as unknown;
    const back = decodeFrame(encodeFrame(FrameType.EVENT, payload)).payload as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.equal((back as { polluted?: unknown }).polluted, undefined);
  });
});

describe('size limits', () => {
  it('accepts exactly the limit and refuses one byte more', () => {
    const limit = 1000;
    const at = encodeFrame(FrameType.PUBLISH, new Uint8Array(limit - 3)); // bin16: 3-byte prefix
    assert.equal(at.byteLength, 8 + limit);
    assert.equal(decodeFrame(at, { maxFrameSize: limit }).type, FrameType.PUBLISH);
    assert.equal(new FrameDecoder({ maxFrameSize: limit }).push(at).length, 1);
    const over = encodeFrame(FrameType.PUBLISH, new Uint8Array(limit - 2));
    expectCode(() => decodeFrame(over, { maxFrameSize: limit }), 'FRAME_TOO_LARGE');
    expectCode(
      () => encodeFrame(FrameType.PUBLISH, new Uint8Array(limit - 2), { maxFrameSize: limit }),
      'FRAME_TOO_LARGE',
    );
  });

  it('refuses an oversized declared length before buffering its payload', () => {
    const limit = 4096;
    const d = new FrameDecoder({ maxFrameSize: limit });
    const header = rawHeader(1, FrameType.PUBLISH, 0, limit + 1);
    for (let i = 0; i < 7; i++) assert.deepEqual(d.push(header.subarray(i, i + 1)), []);
    assert.equal(d.buffered, 7);
    expectCode(() => d.push(header.subarray(7)), 'FRAME_TOO_LARGE');
    assert.equal(d.buffered, 0);
  });

  it('buffers at most header + limit while a huge declared frame trickles in', () => {
    const limit = 64 * 1024;
    const d = new FrameDecoder({ maxFrameSize: limit });
    d.push(rawHeader(1, FrameType.PUBLISH, 0, limit));
    const piece = new Uint8Array(1000).fill(0x90);
    let max = 0;
    for (let sent = 0; sent < limit + 10_000; sent += piece.byteLength) {
      try {
        d.push(piece);
      } catch (e) {
        assert.ok(e instanceof ProtocolError); // the frame completes as garbage: BAD_PAYLOAD
      }
      max = Math.max(max, d.buffered);
    }
    assert.ok(max <= 8 + limit, `buffered ${max}`);
  });

  it('never accepts a configured limit above 16 MiB', () => {
    assert.throws(() => new FrameDecoder({ maxFrameSize: MAX_FRAME_PAYLOAD + 1 }));
    assert.throws(() => encodeFrame(1, null, { maxFrameSize: 0 }));
    expectCode(() => new FrameDecoder().push(rawHeader(1, 4, 0, MAX_FRAME_PAYLOAD + 1)), 'FRAME_TOO_LARGE');
  });
});

describe('compression', () => {
  const big = { topic: 'a.b.c', text: 'hello mesh '.repeat(500) };
  it('compresses above the threshold and round-trips', () => {
    const frame = encodeFrame(FrameType.PUBLISH, big, { compressAbove: 256 });
    assert.equal(frame[3]! & FrameFlags.COMPRESSED, FrameFlags.COMPRESSED);
    assert.ok(frame.byteLength < 500);
    const back = decodeFrame(frame);
    assert.deepEqual(back.payload, big);
    assert.equal(back.flags, FrameFlags.COMPRESSED);
    assert.deepEqual(new FrameDecoder().push(frame)[0]?.payload, big);
  });
  it('leaves small or incompressible payloads alone', () => {
    assert.equal(encodeFrame(FrameType.PUBLISH, 'short', { compressAbove: 256 })[3], 0);
    const noise = new Uint8Array(randomBytes(4096));
    assert.equal(encodeFrame(FrameType.PUBLISH, noise, { compressAbove: 256 })[3], 0);
  });
  it('refuses a zip bomb without inflating past the limit', () => {
    const bomb = encodeFrame(FrameType.PUBLISH, new Uint8Array(8 * 1024 * 1024), { compressAbove: 0 });
    assert.ok(bomb.byteLength < 16 * 1024);
    const err = expectCode(() => decodeFrame(bomb, { maxFrameSize: 64 * 1024 }), 'FRAME_TOO_LARGE');
    assert.match(err.message, /decompressed/);
  });
  it('reports a corrupt deflate stream as DECOMPRESS_FAILED', () => {
    const frame = encodeFrame(FrameType.PUBLISH, big, { compressAbove: 0 });
    expectCode(
      () => decodeFrame(concat([rawHeader(1, 0x10, 1, 10), frame.subarray(8, 18)])),
      'DECOMPRESS_FAILED',
    );
    expectCode(
      () => decodeFrame(concat([rawHeader(1, 0x10, 1, 3), new Uint8Array([0xff, 0xff, 0xff])])),
      'DECOMPRESS_FAILED',
    );
  });
});

describe('FrameDecoder', () => {
  it('errors are sticky', () => {
    const d = new FrameDecoder();
    const first = expectCode(() => d.push(rawHeader(9, 4, 0, 1)), 'BAD_VERSION');
    const good = encodeFrame(FrameType.PING, 1);
    for (let i = 0; i < 3; i++) {
      assert.throws(
        () => d.push(good),
        (e) => e === first,
      );
    }
    assert.equal(d.error, first);
  });
  it('pushInto keeps the frames completed before an error', () => {
    const d = new FrameDecoder();
    const out: unknown[] = [];
    const bytes = concat([
      encodeFrame(FrameType.PING, 1),
      encodeFrame(FrameType.PONG, 2),
      rawHeader(1, 0x99, 0, 1),
    ]);
    expectCode(() => d.pushInto(bytes, out as never), 'UNKNOWN_TYPE');
    assert.equal(out.length, 2);
  });
  it('handles one byte at a time and many frames per chunk', () => {
    const frames = [encodeFrame(1, { a: 1 }), encodeFrame(0x13, 'x'.repeat(300)), encodeFrame(0x21, [1, 2n])];
    const all = concat(frames);
    const d = new FrameDecoder();
    const got = [];
    for (let i = 0; i < all.length; i++) got.push(...d.push(all.subarray(i, i + 1)));
    got.push(...d.push(all));
    assert.equal(got.length, 6);
    assert.deepEqual(got[5]?.payload, [1, 2n]);
    assert.equal(d.buffered, 0);
  });
  it('encodeFrameInto writes into a caller buffer', () => {
    const target = new Uint8Array(64);
    const n = encodeFrameInto(target, 4, FrameType.PING, 'abc');
    assert.equal(n, 12);
    assert.equal(decodeFrame(target.subarray(4, 4 + n)).payload, 'abc');
    assert.equal(encodeFrameInto(target, 60, FrameType.PING, 'abc'), 0);
  });
});
