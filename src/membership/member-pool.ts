import type { Random } from '../runtime/index.js';
import type { MemberRecord } from './member-table.js';
import type { SyncEntry } from './types.js';

/** An unordered set of records with O(1) add, remove and uniform random access. */
export class Pool {
  readonly items: MemberRecord[] = [];

  /** `r` must be in no pool (a record is in the pool of its state only). */
  add(r: MemberRecord): void {
    r.slot = this.items.length;
    this.items.push(r);
  }

  remove(r: MemberRecord): void {
    const i = r.slot;
    if (i === undefined || this.items[i] !== r) return;
    r.slot = undefined;
    const last = this.items.pop()!;
    if (last !== r) {
      this.items[i] = last;
      last.slot = i;
    }
  }
}

/**
 * @internal A view many tables start from without copying it (simulations of thousands
 * of nodes: N full tables would need N² records). Its records are frozen; a table
 * copies one before changing it.
 */
export class SharedMembers {
  readonly byId = new Map<string, MemberRecord>();
  readonly list: MemberRecord[] = [];
  /** `list` as push-pull entries. */
  readonly entries: SyncEntry[] = [];
  /** Records alive or suspect. */
  readonly live: number;

  constructor(records: Iterable<MemberRecord>) {
    let live = 0;
    for (const r of records) {
      const frozen = Object.freeze({ ...r, slot: undefined });
      this.byId.set(r.id, frozen);
      this.list.push(frozen);
      this.entries.push(Object.freeze(entryOf(frozen)));
      if (r.state === 'alive' || r.state === 'suspect') live++;
    }
    this.live = live;
  }
}

/** The push-pull entry for a record. */
export function entryOf(r: MemberRecord): SyncEntry {
  const e: SyncEntry = { id: r.id, inc: r.incarnation, state: r.state, addr: r.address, key: r.key };
  if (r.name !== undefined) e.name = r.name;
  return e;
}

/**
 * Up to `n` distinct random picks among `len` candidates, `at(i)` giving candidate `i`
 * or undefined when it does not qualify. Rejection sampling while qualifying candidates
 * are plentiful; a full scan and partial Fisher–Yates otherwise.
 */
export function pickRandom(
  n: number,
  len: number,
  at: (i: number) => MemberRecord | undefined,
  random: Random,
): MemberRecord[] {
  const out: MemberRecord[] = [];
  if (n <= 0 || len === 0) return out;
  if (n * 4 < len) {
    // Bounded: when too many tries fail, most candidates do not qualify; scan instead.
    for (let tries = 0; tries < 8 * n + 16 && out.length < n; tries++) {
      const r = at(random.int(len));
      if (r !== undefined && !out.includes(r)) out.push(r);
    }
    if (out.length === n) return out;
    out.length = 0;
  }
  const all: MemberRecord[] = [];
  for (let i = 0; i < len; i++) {
    const r = at(i);
    if (r !== undefined) all.push(r);
  }
  for (let i = 0; i < all.length && out.length < n; i++) {
    const j = i + random.int(all.length - i);
    const r = all[j]!;
    all[j] = all[i]!;
    out.push(r);
  }
  return out;
}

/** A random permutation of 0..len-1 as k ↦ (a·k + b) mod len (O(1) memory, new each pass). */
export class AffineOrder {
  private a = 1;
  private b = 0;

  constructor(private len: number) {}

  get length(): number {
    return this.len;
  }

  reshuffle(random: Random): void {
    const len = this.len;
    if (len <= 1) return;
    do this.a = 1 + random.int(len - 1);
    while (gcd(this.a, len) !== 1);
    this.b = random.int(len);
  }

  at(k: number): number {
    return (this.a * k + this.b) % this.len;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
