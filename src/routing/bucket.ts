import type { Address } from '../transport/index.js';
import type { IdKey } from './id.js';
import type { TableEntry } from './types.js';

/** The mutable record behind a {@link TableEntry}. */
export interface Slot extends IdKey {
  address: Address;
  lastSeen: number;
  rttMs?: number;
  failures: number;
}

/**
 * One k-bucket: live entries ordered least-recently-seen first, plus a bounded cache
 * of newer contacts that wait for a slot (most recent last).
 */
export class Bucket {
  readonly entries: Slot[] = [];
  readonly replacements: Slot[] = [];
  /** A liveness check of the oldest entry is running (one at a time per bucket). */
  checking = false;

  find(id: string): number {
    return this.entries.findIndex((s) => s.id === id);
  }

  /** Records that `slot` was heard from: fresh, no failures, moved to the most-recently-seen end. */
  heard(slot: Slot, now: number, address?: Address, rttMs?: number): void {
    slot.lastSeen = now;
    slot.failures = 0;
    if (address) slot.address = address;
    if (rttMs !== undefined) slot.rttMs = rttMs;
    this.toTail(slot);
  }

  /** Moves an entry to the most-recently-seen end. */
  toTail(slot: Slot): void {
    const i = this.entries.indexOf(slot);
    if (i >= 0 && i !== this.entries.length - 1) {
      this.entries.splice(i, 1);
      this.entries.push(slot);
    }
  }

  /** Adds or refreshes a waiting contact; the oldest waiting one goes when over `cap`. */
  cache(slot: Slot, cap: number): void {
    this.dropReplacement(slot.id);
    if (cap <= 0) return;
    this.replacements.push(slot);
    if (this.replacements.length > cap) this.replacements.shift();
  }

  dropReplacement(id: string): boolean {
    const i = this.replacements.findIndex((s) => s.id === id);
    if (i < 0) return false;
    this.replacements.splice(i, 1);
    return true;
  }
}

/** A new entry for the peer `key` at `address`. */
export function newSlot(key: IdKey, address: Address, now: number, rttMs?: number): Slot {
  const s: Slot = { id: key.id, w0: key.w0, w1: key.w1, address, lastSeen: now, failures: 0 };
  if (rttMs !== undefined) s.rttMs = rttMs;
  return s;
}

/** A read-only snapshot of a slot. */
export function viewSlot(s: Slot): TableEntry {
  return {
    id: s.id,
    address: s.address,
    lastSeen: s.lastSeen,
    failures: s.failures,
    ...(s.rttMs !== undefined ? { rttMs: s.rttMs } : {}),
  };
}

/** Index of the deepest bucket holding an entry, or -1. */
export function deepestNonEmpty(buckets: readonly (Bucket | undefined)[]): number {
  let i = buckets.length - 1;
  while (i >= 0 && !buckets[i]?.entries.length) i--;
  return i;
}

/** Non-empty buckets and waiting replacements, for stats. */
export function bucketCounts(buckets: readonly (Bucket | undefined)[]): {
  buckets: number;
  replacements: number;
} {
  let n = 0;
  let replacements = 0;
  for (const b of buckets) {
    if (b?.entries.length) n++;
    replacements += b?.replacements.length ?? 0;
  }
  return { buckets: n, replacements };
}
