import { randomBytes as cryptoRandomBytes, randomInt } from 'node:crypto';

/**
 * Randomness source, injected so simulations are repeatable from a seed.
 * Never use a seeded {@link Random} for key material: that comes from node:crypto.
 */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, max). */
  int(max: number): number;
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
}

/** Cryptographically strong randomness from node:crypto. */
export const systemRandom: Random = {
  // randomInt allows a range of at most 2^48 - 1.
  next: () => randomInt(0, 2 ** 48 - 1) / (2 ** 48 - 1),
  int: (max) => randomInt(0, max),
  bytes: (n) => new Uint8Array(cryptoRandomBytes(n)),
};

/** Deterministic PRNG (xoshiro128**), seeded; fast and good enough for simulations. */
export class SeededRandom implements Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    // splitmix32 spreads a small seed over the whole state.
    let x = seed >>> 0;
    const mix = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = mix();
    this.s1 = mix();
    this.s2 = mix();
    this.s3 = mix();
  }

  private u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    return this.u32() / 2 ** 32;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
