import type { Random } from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import type { Member, MemberState, SyncEntry } from './types.js';

/** The mutable record behind a {@link Member}. */
export interface MemberRecord {
  id: string;
  name?: string;
  address: Address;
  key: Uint8Array;
  incarnation: number;
  state: MemberState;
  since: number;
}

/**
 * Every member this node knows, itself included, plus the probe order: a shuffled
 * round-robin over the others, so each live member is probed once per pass (SWIM's
 * time-bounded completeness) while new members land at a random position.
 */
export class MemberTable {
  private readonly records = new Map<string, MemberRecord>();
  private order: string[] = [];
  private cursor = 0;
  private liveCount = 0;
  /** Other members by state, for O(n) random picks however large the table is. */
  private readonly pools = new Map<MemberState, Pool>();

  constructor(
    readonly selfId: string,
    private readonly random: Random,
  ) {}

  get size(): number {
    return this.records.size;
  }

  /** Members currently alive or suspect (self included). */
  get live(): number {
    return this.liveCount;
  }

  get(id: string): MemberRecord | undefined {
    return this.records.get(id);
  }

  values(): IterableIterator<MemberRecord> {
    return this.records.values();
  }

  add(r: MemberRecord): void {
    this.records.set(r.id, r);
    if (isLive(r.state)) this.liveCount++;
    if (r.id !== this.selfId) {
      this.pool(r.state).add(r);
      // O(1): append, then swap with a random slot not yet probed in this pass.
      this.order.push(r.id);
      const last = this.order.length - 1;
      const j = this.cursor + this.random.int(last - this.cursor + 1);
      this.order[last] = this.order[j]!;
      this.order[j] = r.id;
    }
  }

  /** Changes a record's state, keeping the live count right. */
  setState(r: MemberRecord, state: MemberState, now: number): void {
    if (isLive(r.state) && !isLive(state)) this.liveCount--;
    else if (!isLive(r.state) && isLive(state)) this.liveCount++;
    if (r.state !== state && r.id !== this.selfId) {
      this.pool(r.state).remove(r);
      this.pool(state).add(r);
    }
    r.state = state;
    r.since = now;
  }

  delete(id: string): void {
    const r = this.records.get(id);
    if (!r) return;
    if (isLive(r.state)) this.liveCount--;
    if (id !== this.selfId) this.pool(r.state).remove(r);
    this.records.delete(id);
    // The probe order drops it lazily (nextProbeTarget skips unknown ids).
  }

  /** The next member to probe (alive or suspect), or undefined when there is none. */
  nextProbeTarget(): MemberRecord | undefined {
    for (let tries = 0; tries <= this.order.length; tries++) {
      if (this.cursor >= this.order.length) this.reshuffle();
      if (this.order.length === 0) return undefined; // (never move the cursor past the end)
      const id = this.order[this.cursor++]!;
      const r = this.records.get(id);
      if (r && isLive(r.state)) return r;
    }
    return undefined;
  }

  /** Up to `n` distinct random alive members, excluding self and `exclude`. */
  randomLive(n: number, exclude?: string): MemberRecord[] {
    return this.randomIn('alive', n, exclude);
  }

  /** Up to `n` distinct random members in `state` (self never included), excluding `exclude`. */
  randomIn(state: MemberState, n: number, exclude?: string): MemberRecord[] {
    const pool = this.pools.get(state);
    return pool ? pool.pick(n, this.random, exclude) : [];
  }

  /** How many members other than self are in `state`. */
  count(state: MemberState): number {
    return this.pools.get(state)?.items.length ?? 0;
  }

  /** Public snapshot of one record. */
  static view(r: MemberRecord): Member {
    return {
      id: r.id,
      ...(r.name !== undefined ? { name: r.name } : {}),
      address: { host: r.address.host, port: r.address.port },
      incarnation: r.incarnation,
      state: r.state,
      since: r.since,
    };
  }

  /** Push-pull entries for the whole table. */
  entries(): SyncEntry[] {
    const out: SyncEntry[] = [];
    for (const r of this.records.values()) {
      out.push({
        id: r.id,
        inc: r.incarnation,
        state: r.state,
        addr: r.address,
        key: r.key,
        ...(r.name !== undefined ? { name: r.name } : {}),
      });
    }
    return out;
  }

  private pool(state: MemberState): Pool {
    let p = this.pools.get(state);
    if (!p) {
      p = new Pool();
      this.pools.set(state, p);
    }
    return p;
  }

  private reshuffle(): void {
    // Compact away members that were deleted, then Fisher–Yates.
    this.order = [...new Set(this.order)].filter((id) => this.records.has(id));
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      const t = this.order[i]!;
      this.order[i] = this.order[j]!;
      this.order[j] = t;
    }
    this.cursor = 0;
  }
}

export function isLive(s: MemberState): boolean {
  return s === 'alive' || s === 'suspect';
}

/** An unordered set of records with O(1) add, remove and uniform random access. */
class Pool {
  readonly items: MemberRecord[] = [];
  private readonly slot = new Map<MemberRecord, number>();

  add(r: MemberRecord): void {
    if (this.slot.has(r)) return;
    this.slot.set(r, this.items.length);
    this.items.push(r);
  }

  remove(r: MemberRecord): void {
    const i = this.slot.get(r);
    if (i === undefined) return;
    this.slot.delete(r);
    const last = this.items.pop()!;
    if (last !== r) {
      this.items[i] = last;
      this.slot.set(last, i);
    }
  }

  /** Up to `n` distinct random records other than the one with id `exclude`. */
  pick(n: number, random: Random, exclude?: string): MemberRecord[] {
    const items = this.items;
    const out: MemberRecord[] = [];
    const len = items.length;
    if (n <= 0 || len === 0) return out;
    if (n * 4 >= len) {
      // Small pool: partial Fisher–Yates over a copy.
      const copy = items.slice();
      for (let i = 0; i < len && out.length < n; i++) {
        const j = i + random.int(len - i);
        const r = copy[j]!;
        copy[j] = copy[i]!;
        if (r.id !== exclude) out.push(r);
      }
      return out;
    }
    // Large pool: rejection sampling (few collisions, since n ≤ len / 4).
    while (out.length < n) {
      const r = items[random.int(len)]!;
      if (r.id !== exclude && !out.includes(r)) out.push(r);
    }
    return out;
  }
}
