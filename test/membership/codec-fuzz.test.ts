/**
 * Fuzz: seeded mutations of valid packets and sync states. Decoding may only ever throw
 * MembershipWireError, and whatever it accepts must encode again to the same message.
 * Reproduce a failure with MACULA_FUZZ_SEED=<seed printed>.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodePacket,
  decodeSync,
  encodePacket,
  encodeSync,
  MembershipWireError,
} from '../../src/membership/codec.js';
import type { SwimMessage, SyncEntry } from '../../src/membership/types.js';
import { SeededRandom } from '../../src/runtime/index.js';
import { getPeers, opts, type Peer, sampleMessages, sampleUpdates } from './codec-fixtures.js';

const SEED = Number(process.env.MACULA_FUZZ_SEED ?? 0x1d_5eed) >>> 0;
const INTERESTING = [
  0x00, 0x01, 0x7f, 0x80, 0x90, 0x96, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc7, 0xca, 0xcb,
  0xcf, 0xd3, 0xd4, 0xd6, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff,
];

const [p, q] = await getPeers();

function mutate(src: Uint8Array, rng: SeededRandom): Uint8Array {
  const b = Uint8Array.from(src);
  const at = () => rng.int(b.length);
  switch (rng.int(7)) {
    case 0:
      for (let n = 1 + rng.int(4); n > 0; n--) b[at()]! ^= 1 << rng.int(8);
      return b;
    case 1:
      b[at()] = INTERESTING[rng.int(INTERESTING.length)]!;
      return b;
    case 2:
      return b.subarray(0, rng.int(b.length));
    case 3: {
      const i = at();
      return concat(b.subarray(0, i), rng.bytes(1 + rng.int(8)), b.subarray(i));
    }
    case 4: {
      const i = at();
      return concat(b.subarray(0, i), b.subarray(i + 1 + rng.int(16)));
    }
    case 5: {
      const i = at();
      const j = Math.min(b.length, i + 1 + rng.int(40));
      return concat(b.subarray(0, j), b.subarray(i, j), b.subarray(j));
    }
    default: {
      const r = rng.bytes(rng.int(200));
      r.set([0x1d, 1, 0x96 + rng.int(3)].slice(0, r.length));
      return r;
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Replaces the signature with a valid one, so mutations reach past authentication. */
function resign(b: Uint8Array, signer: Peer): Uint8Array {
  if (b.length < 64) return b;
  const signed = b.subarray(0, b.length - 64);
  return concat(signed, signer.sign(signed));
}

/** The rejection code ('ok' when accepted), or a failure description. */
function decodeOne(input: Uint8Array): { code: string } | { failure: string } {
  let msg: SwimMessage;
  try {
    msg = decodePacket(input, opts).msg;
  } catch (e) {
    if (e instanceof MembershipWireError) return { code: e.code };
    return { failure: `threw ${String((e as Error)?.stack ?? e)}` };
  }
  const again = decodePacket(encodePacket(p!.env, msg, p!.sign), opts).msg;
  if (JSON.stringify(again) !== JSON.stringify(msg))
    return { failure: 'accepted message does not re-encode to itself' };
  return { code: 'ok' };
}

describe('membership codec fuzz', () => {
  it('20,000 mutated packets: only MembershipWireError, and anything accepted re-encodes', {
    timeout: 30_000,
  }, () => {
    const corpus = sampleMessages(p!, q!).map((m) => encodePacket(p!.env, m, p!.sign));
    const many = new Array(64).fill(sampleUpdates(p!, q!)).flat().slice(0, 64);
    corpus.push(encodePacket(p!.env, { t: 'ack', seq: 5, updates: many }, p!.sign));
    const rng = new SeededRandom(SEED);
    const codes = new Map<string, number>();
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) {
      let input = mutate(corpus[rng.int(corpus.length)]!, rng);
      if (rng.next() < 0.25) input = resign(input, p!);
      const r = decodeOne(input);
      if ('failure' in r) {
        assert.fail(
          `case ${i} (MACULA_FUZZ_SEED=${SEED}): ${r.failure}; input ${Buffer.from(input).toString('hex')}`,
        );
      }
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    }
    const ms = performance.now() - started;
    // Several rejection paths must be reached, or the mutations are too weak to mean much.
    for (const code of ['MALFORMED', 'BAD_SIGNATURE', 'BAD_MAGIC', 'BAD_VERSION'])
      assert.ok(codes.get(code), code);
    assert.ok(ms < 10_000, `took ${ms} ms`);
    if (process.env.MACULA_FUZZ_VERBOSE) console.log(Math.round(ms), 'ms', Object.fromEntries(codes));
  });

  it('5,000 mutated sync states: only MembershipWireError', () => {
    const states = ['alive', 'suspect', 'dead', 'left'] as const;
    const entries: SyncEntry[] = sampleUpdates(p!, q!)
      .filter((u) => u.t === 'alive')
      .flatMap(({ t: _, ...e }) => states.map((state) => ({ ...e, state })));
    const corpus = [encodeSync({ entries, join: true }), encodeSync({ entries: [], join: false })];
    const rng = new SeededRandom(SEED ^ 0x5a5a);
    for (let i = 0; i < 5_000; i++) {
      const input = mutate(corpus[rng.int(corpus.length)]!, rng);
      try {
        const state = decodeSync(input);
        assert.deepEqual(decodeSync(encodeSync(state)), state);
      } catch (e) {
        if (!(e instanceof MembershipWireError)) {
          assert.fail(
            `sync case ${i} (MACULA_FUZZ_SEED=${SEED}) threw ${String(e)}; ${Buffer.from(input).toString('hex')}`,
          );
        }
      }
    }
  });
});
