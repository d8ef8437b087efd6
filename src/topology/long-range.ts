import type { Ring } from './ring.js';

/** Upper bound of {@link defaultLongRangeCount}: each link is a connection to keep up. */
export const MAX_DEFAULT_LONG_RANGE = 6;

const RING_BITS = 256;
const RING_SIZE = 1n << BigInt(RING_BITS);

/**
 * Default number of long-range links for a mesh of `n` nodes: ⌈log2(n)/2⌉, capped at
 * {@link MAX_DEFAULT_LONG_RANGE}. Measured BFS diameters with k = 4: 5 at 1,000 nodes and
 * 8 at 10,000 (sampled); the ring alone has n/k.
 */
export function defaultLongRangeCount(n: number): number {
  if (n <= 2) return 0;
  return Math.min(MAX_DEFAULT_LONG_RANGE, Math.ceil(Math.log2(n) / 2));
}

/**
 * Ring distances of the long-range links, as exponents e (the link aims at self + 2^-e
 * of the ring). Chord fingers (e = 1, 2, … count) when `count` covers every scale down
 * to the ring neighbourhood (about k/n of the ring); with fewer links the exponents are
 * spread evenly from 1 to log2(n/k), so a handful of links still span every scale and
 * the diameter stays logarithmic instead of falling back to ring hops below 2^-count.
 */
export function fingerExponents(n: number, k: number, count: number): number[] {
  if (count <= 0) return [];
  const deepest = Math.log2(n / Math.max(1, k));
  const step = count > 1 ? Math.max(1, (deepest - 1) / (count - 1)) : 1;
  return Array.from({ length: count }, (_, i) => Math.min(200, 1 + i * step));
}

/** The member nearest to ring position `target` (either side; the successor on a tie). */
export function nearestMember(ring: Ring, target: string): string | undefined {
  const succ = ring.successor(target);
  const pred = ring.predecessor(target);
  if (succ === undefined || pred === undefined) return undefined;
  const t = BigInt(`0x${target}`);
  const after = (BigInt(`0x${succ}`) - t + RING_SIZE) % RING_SIZE;
  const before = (t - BigInt(`0x${pred}`) + RING_SIZE) % RING_SIZE;
  return before < after ? pred : succ;
}

/** The ring position self + 2^-exponent of the ring, as 64 hex characters (wraps around). */
export function fingerTarget(self: string, exponent: number): string {
  const whole = Math.floor(exponent);
  // 2^-exponent = 2^-whole · 2^-(fraction): a 53-bit mantissa shifted into place.
  const mantissa = BigInt(Math.round(2 ** (53 - (exponent - whole))));
  const offset = mantissa << BigInt(RING_BITS - whole - 53);
  const pos = (BigInt(`0x${self}`) + offset) % RING_SIZE;
  return pos.toString(16).padStart(RING_BITS / 4, '0');
}

/**
 * Long-range links of `self`: for each exponent of {@link fingerExponents}, the member
 * nearest to self + 2^-e of the ring. (Nearest rather than Chord's successor: a node after
 * a wide gap would otherwise attract every finger aimed into the gap.) Skips
 * `self`, members in `exclude` (default: the k ring neighbours) and repeats, so it may
 * return fewer than `count`. Deterministic given the member set.
 */
export function longRangeLinks(
  ring: Ring,
  self: string,
  k: number,
  count = defaultLongRangeCount(ring.size + (ring.has(self) ? 0 : 1)),
  exclude: ReadonlySet<string> = new Set(ring.neighbours(self, k)),
): string[] {
  const n = ring.size + (ring.has(self) ? 0 : 1);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of fingerExponents(n, k, count)) {
    const id = nearestMember(ring, fingerTarget(self, e));
    if (id === undefined || id === self || exclude.has(id) || seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out;
}

/** The links `self` wants: its k ring neighbours and its long-range links (default count when unset). */
export function chooseLinks(
  ring: Ring,
  self: string,
  k: number,
  longRange?: number,
): { ring: string[]; longRange: string[] } {
  const near = ring.neighbours(self, k);
  return { ring: near, longRange: longRangeLinks(ring, self, k, longRange, new Set(near)) };
}
