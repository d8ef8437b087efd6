/**
 * Fuzz: over 1,000,000 random and mutated inputs against decodeFrame and a streaming
 * FrameDecoder. Reproduce a failure with MACULA_FUZZ_SEED=<seed printed>.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeFrame,
  encodeFrame,
  FrameDecoder,
  FrameType,
  ProtocolError,
} from '../../src/protocol/index.js';
import { SeededRandom } from '../../src/runtime/index.js';

const SEED = Number(process.env.MACULA_FUZZ_SEED ?? 0x5eed_f00d) >>> 0;
const LIMITS = [64, 4096, 16 * 1024 * 1024];

/** Feeds one input to both decoders; returns a failure description or null. */
function check(input: Uint8Array, rng: SeededRandom): string | null {
  const limit = LIMITS[rng.int(LIMITS.length)]!;
  try {
    decodeFrame(input, { maxFrameSize: limit });
  } catch (e) {
    if (!(e instanceof ProtocolError)) return `decodeFrame threw ${String(e)}`;
  }
  const d = new FrameDecoder({ maxFrameSize: limit });
  let at = 0;
  while (at < input.length) {
    const n = 1 + rng.int(Math.min(input.length - at, 24));
    try {
      d.push(input.subarray(at, at + n));
    } catch (e) {
      if (!(e instanceof ProtocolError)) return `FrameDecoder threw ${String(e)}`;
      if (d.error !== e) return 'decoder error not sticky';
    }
    if (d.buffered > 8 + limit) return `buffered ${d.buffered} > 8 + ${limit}`;
    at += n;
  }
  return null;
}

function runCampaign(
  name: string,
  count: number,
  seed: number,
  make: (rng: SeededRandom) => Uint8Array,
): void {
  const rng = new SeededRandom(seed);
  for (let i = 0; i < count; i++) {
    const input = make(rng);
    const failure = check(input, rng);
    if (failure !== null) {
      const hex = Buffer.from(input).toString('hex');
      assert.fail(`${name} #${i} (MACULA_FUZZ_SEED=${SEED}): ${failure}; input ${hex}`);
    }
  }
}

/** Random bytes; half of them start with a plausible header so the payload path is reached too. */
function randomInput(rng: SeededRandom, maxLen: number): Uint8Array {
  const b = rng.bytes(rng.int(maxLen + 1));
  if (b.length >= 2 && rng.next() < 0.5) {
    b[0] = 1;
    b[1] = TYPES[rng.int(TYPES.length)]!;
    if (b.length >= 8) {
      b[2] = 0;
      b[3] = rng.next() < 0.1 ? 1 : 0; // inflate is slow (a zlib handle per call): keep it rarer
      b[4] = 0;
      b[5] = 0;
      b[6] = 0;
      b[7] = rng.next() < 0.7 ? b.length - 8 : rng.int(256);
    }
  }
  return b;
}

const TYPES: number[] = [...Object.values(FrameType), 0x35, 0xf7, 0x00, 0x99];
const CORPUS: Uint8Array[] = [
  null,
  0,
  -1,
  2n ** 63n,
  1.5,
  'hello',
  new Uint8Array([1, 2, 3]),
  [1, [2, [3, [4]]]],
  { topic: 'org.example.mesh.hello', data: new Uint8Array(20).fill(7), seq: 42 },
  { a: { b: { c: 'x'.repeat(40) } }, list: [true, false, null] },
  new Date(0),
].flatMap((p, i) => [
  encodeFrame(TYPES[i % 15]!, p).slice(),
  encodeFrame(TYPES[(i + 5) % 15]!, [p, p]).slice(),
  encodeFrame(TYPES[(i + 3) % 15]!, { p, pad: 'abc'.repeat(10) }, { compressAbove: 0 }).slice(),
]);

function mutate(rng: SeededRandom): Uint8Array {
  const base = CORPUS[rng.int(CORPUS.length)]!;
  const b = base.slice();
  switch (rng.int(5)) {
    case 0: // bit flips
      for (let k = 1 + rng.int(3); k > 0; k--) b[rng.int(b.length)]! ^= 1 << rng.int(8);
      return b;
    case 1: // truncation
      return b.subarray(0, rng.int(b.length));
    case 2: {
      // splice: a prefix of one frame with the suffix of another
      const other = CORPUS[rng.int(CORPUS.length)]!;
      const cut = rng.int(b.length + 1);
      const out = new Uint8Array(cut + other.length - Math.min(cut, other.length));
      out.set(b.subarray(0, cut));
      out.set(other.subarray(Math.min(cut, other.length)), cut);
      return out;
    }
    case 3: {
      // length-field corruption
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const len = view.getUint32(4);
      const choice = rng.int(4);
      const next =
        choice === 0
          ? len + 1 + rng.int(4)
          : choice === 1
            ? Math.max(0, len - 1 - rng.int(4))
            : rng.int(2 ** 32);
      view.setUint32(4, choice === 3 ? 0xffffffff : next);
      return b;
    }
    default: {
      // flag / byte overwrite in the payload
      b[2 + rng.int(2)] = rng.int(256);
      b[8 + rng.int(b.length - 8)] = rng.int(256);
      return b;
    }
  }
}

describe('protocol fuzz', () => {
  it('1,000,000+ random and mutated inputs only ever raise ProtocolError', () => {
    // Stack capture is most of the cost of a thrown error; the fuzz checks error types only.
    const stackLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const started = performance.now();
    const counts = { short: 520_000, long: 5_000, mutated: 400_000, concatenated: 80_000 };
    try {
      runCampaign('random short', counts.short, SEED, (rng) => randomInput(rng, 64));
      runCampaign('random long', counts.long, SEED + 1, (rng) => randomInput(rng, 4096));
      runCampaign('mutated', counts.mutated, SEED + 2, mutate);
      runCampaign('concatenated', counts.concatenated, SEED + 3, (rng) => {
        const a = mutate(rng);
        const c = CORPUS[rng.int(CORPUS.length)]!;
        const out = new Uint8Array(a.length + c.length);
        out.set(c);
        out.set(a, c.length);
        return out;
      });
    } finally {
      Error.stackTraceLimit = stackLimit;
    }
    const total = Object.values(counts).reduce((x, y) => x + y, 0);
    assert.ok(total >= 1_000_000);
    const ms = performance.now() - started;
    console.log(`fuzz: ${total} inputs in ${(ms / 1000).toFixed(1)} s (seed ${SEED})`);
  });
});
