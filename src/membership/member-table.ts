import type { Random } from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import { AffineOrder, entryOf, Pool, pickRandom, type SharedMembers } from './member-pool.js';
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
  /** @internal Position in the table's list of members in this state (tables only). */
  slot?: number | undefined;
}

/**
 * Every member this node knows, itself included, plus the probe order: a shuffled
 * round-robin over the others, so each live member is probed once per pass (SWIM's
 * time-bounded completeness) while new members land at a random position.
 *
 * A table may start from a {@link SharedMembers} view (simulations): its records are
 * read in place and copied into the table by {@link own} before any change.
 */
export class MemberTable {
  private readonly records = new Map<string, MemberRecord>();
  private order: string[] = [];
  private cursor = 0;
  private liveCount = 0;
  /** Other members by state (own records only), for cheap random picks. */
  private readonly pools = new Map<MemberState, Pool>();
  private base: SharedMembers | undefined;
  private baseOrder = new AffineOrder(0);
  private baseCursor = 0;
  /** Shared ids this table has its own record for (copied, or back after being forgotten). */
  private shadowed = 0;
  /** Shared ids this table forgot (reaped): no longer read from the view. */
  private readonly forgotten = new Set<string>();

  constructor(
    readonly selfId: string,
    private readonly random: Random,
  ) {}

  get size(): number {
    return this.records.size + (this.base ? this.base.list.length - this.shadowed - this.forgotten.size : 0);
  }

  /** Members currently alive or suspect (self included). */
  get live(): number {
    return this.liveCount;
  }

  /** The record for `id`; it may be shared: call {@link own} before changing it. */
  get(id: string): MemberRecord | undefined {
    const r = this.records.get(id);
    if (r !== undefined || this.base === undefined || this.forgotten.has(id)) return r;
    return this.base.byId.get(id);
  }

  /** `r` made safe to change: a shared record is copied into this table first. */
  own(r: MemberRecord): MemberRecord {
    if (this.base === undefined || this.records.get(r.id) === r) return r;
    const copy: MemberRecord = { ...r, slot: undefined };
    this.records.set(r.id, copy);
    this.shadowed++;
    this.pool(copy.state).add(copy);
    return copy;
  }

  /** @internal Starts from `view` (no record of it known yet; self is kept as is). */
  share(view: SharedMembers): void {
    this.base = view;
    this.baseOrder = new AffineOrder(view.list.length);
    this.baseOrder.reshuffle(this.random);
    this.baseCursor = 0;
    this.liveCount += view.live;
    // Walk our own records (usually just self), not the view: N tables share one view.
    for (const own of this.records.values()) {
      const b = view.byId.get(own.id);
      if (!b) continue;
      this.shadowed++;
      if (isLive(b.state)) this.liveCount--;
    }
  }

  *values(): IterableIterator<MemberRecord> {
    yield* this.records.values();
    if (!this.base) return;
    for (const r of this.base.list) if (this.shared(r.id)) yield r;
  }

  add(r: MemberRecord): void {
    const shadows = this.base?.byId.has(r.id) === true && !this.records.has(r.id);
    this.records.set(r.id, r);
    if (isLive(r.state)) this.liveCount++;
    if (r.id === this.selfId) return;
    this.pool(r.state).add(r);
    if (shadows) {
      // Back after being forgotten: the walk over the shared view probes it.
      this.shadowed++;
      this.forgotten.delete(r.id);
      return;
    }
    // O(1): append, then swap with a random slot not yet probed in this pass.
    this.order.push(r.id);
    const last = this.order.length - 1;
    const j = this.cursor + this.random.int(last - this.cursor + 1);
    this.order[last] = this.order[j]!;
    this.order[j] = r.id;
  }

  /** Changes a record's state (`r` must be owned), keeping the live count right. */
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
    const r = this.get(id);
    if (!r) return;
    if (isLive(r.state)) this.liveCount--;
    this.pool(r.state).remove(r);
    const owned = this.records.delete(id);
    if (this.base?.byId.has(id)) {
      if (owned) this.shadowed--;
      this.forgotten.add(id);
    }
    // The probe order drops it lazily (nextProbeTarget skips unknown ids).
  }

  /** The next member to probe (alive or suspect), or undefined when there is none. */
  nextProbeTarget(): MemberRecord | undefined {
    const base = this.base;
    for (let tries = 0; tries <= 2 * (this.order.length + this.baseOrder.length) + 1; tries++) {
      if (this.baseCursor < this.baseOrder.length) {
        // A shared view is walked first, in an affine order (it has no per-table array).
        const b = base!.list[this.baseOrder.at(this.baseCursor++)]!;
        const r = this.records.get(b.id) ?? (this.forgotten.has(b.id) ? undefined : b);
        if (r && r.id !== this.selfId && isLive(r.state)) return r;
        continue;
      }
      if (this.cursor >= this.order.length) {
        this.reshuffle();
        if (this.baseOrder.length > 0) continue;
        if (this.order.length === 0) return undefined; // (never move the cursor past the end)
      }
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
    const own = this.pools.get(state)?.items ?? [];
    const base = this.base;
    if (!base || state !== 'alive') {
      return pickRandom(n, own.length, (i) => (own[i]!.id === exclude ? undefined : own[i]), this.random);
    }
    // Shared records count while this table has none of its own; copied ones are in `own`.
    const b = base.list;
    const at = (i: number): MemberRecord | undefined => {
      const r = i < b.length ? b[i]! : own[i - b.length]!;
      if (r.id === exclude || r.id === this.selfId || (i < b.length && !this.shared(r.id))) return undefined;
      return r;
    };
    return pickRandom(n, b.length + own.length, at, this.random);
  }

  /** Members other than self in `state` that this table owns (shared records are all alive). */
  inState(state: MemberState): readonly MemberRecord[] {
    return this.pools.get(state)?.items ?? [];
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
    for (const r of this.records.values()) out.push(entryOf(r));
    const base = this.base;
    if (base) {
      // The view's entries are built once for every table that shares it.
      for (let i = 0; i < base.list.length; i++)
        if (this.shared(base.list[i]!.id)) out.push(base.entries[i]!);
    }
    return out;
  }

  /** Whether this table still reads `id` from the shared view. */
  private shared(id: string): boolean {
    return !this.records.has(id) && !this.forgotten.has(id);
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
    this.baseCursor = 0;
    this.baseOrder.reshuffle(this.random);
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
