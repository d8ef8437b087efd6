import type { Bucket, Slot } from './bucket.js';
import { compareDistance, type IdKey } from './id.js';

/**
 * The `n` entries closest to `t`, exactly, reading only the buckets needed. With
 * `c` = the prefix `t` shares with self: bucket c holds the closest peers (they share
 * more than c bits with `t`); every deeper bucket shares exactly c bits with `t`, so
 * they are next and sorted together; then buckets c-1, c-2, … 0, each strictly farther
 * than the one before.
 */
export function closestIn(buckets: readonly (Bucket | undefined)[], c: number, t: IdKey, n: number): Slot[] {
  const out: Slot[] = [];
  const take = (group: Slot[]) => {
    if (group.length === 0 || out.length >= n) return;
    group.sort((a, b) => compareDistance(a, b, t));
    for (const s of group) {
      if (out.length >= n) return;
      out.push(s);
    }
  };
  if (n <= 0) return out;
  if (c < buckets.length) take([...(buckets[c]?.entries ?? [])]);
  if (out.length < n) {
    const deeper: Slot[] = [];
    for (let i = c + 1; i < buckets.length; i++) {
      const b = buckets[i];
      if (b) for (const s of b.entries) deeper.push(s);
    }
    take(deeper);
  }
  for (let i = Math.min(c, buckets.length) - 1; i >= 0 && out.length < n; i--) {
    take([...(buckets[i]?.entries ?? [])]);
  }
  return out;
}
