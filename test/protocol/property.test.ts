import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeFrame,
  encodeFrame,
  FrameDecoder,
  FrameType,
  ReservedRanges,
} from '../../src/protocol/index.js';
import { concat, normalize } from './helpers.js';

// Keys other than __proto__ (msgpackr renames that one on purpose).
const key = fc.string({ unit: 'grapheme', maxLength: 8 }).filter((k) => k !== '__proto__');
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double().map((d) => (Object.is(d, -0) ? 0 : d)), // MessagePack has no integer -0
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.uint8Array({ maxLength: 80 }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
}));
const types = [...Object.values(FrameType), ReservedRanges.NAT.first, ReservedRanges.EXPERIMENTAL.last];
const frame = fc.record({ type: fc.constantFrom(...types), payload: value, compress: fc.boolean() });

describe('frame properties', () => {
  it('any frame sequence, split anywhere, decodes to the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const encoded = frames.map((f) =>
            encodeFrame(f.type, f.payload, f.compress ? { compressAbove: 0 } : undefined).slice(),
          );
          const all = concat(encoded);
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const d = new FrameDecoder();
          const got = [];
          let at = 0;
          for (const p of [...points, all.length]) {
            got.push(...d.push(all.subarray(at, p)));
            at = p;
          }
          assert.equal(d.buffered, 0);
          assert.equal(got.length, frames.length);
          for (let i = 0; i < frames.length; i++) {
            assert.equal(got[i]!.type, frames[i]!.type);
            assert.deepEqual(normalize(got[i]!.payload), normalize(frames[i]!.payload));
            assert.deepEqual(normalize(decodeFrame(encoded[i]!).payload), normalize(frames[i]!.payload));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
