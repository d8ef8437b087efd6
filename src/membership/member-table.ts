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
    r.state = state;
    r.since = now;
  }

  delete(id: string): void {
    const r = this.records.get(id);
    if (!r) return;
    if (isLive(r.state)) this.liveCount--;
    this.records.delete(id);
    // The probe order drops it lazily (nextProbeTarget skips unknown ids).
  }

  /** The next member to probe (alive or suspect), or undefined when there is none. */
  nextProbeTarget(): MemberRecord | undefined {
    for (let tries = 0; tries <= this.order.length; tries++) {
      if (this.cursor >= this.order.length) this.reshuffle();
      const id = this.order[this.cursor++];
      if (id === undefined) return undefined;
      const r = this.records.get(id);
      if (r && isLive(r.state)) return r;
    }
    return undefined;
  }

  /** Up to `n` distinct random live members, excluding self and `exclude`. */
  randomLive(n: number, exclude?: string): MemberRecord[] {
    return this.sample(n, (r) => r.state === 'alive' && r.id !== exclude);
  }

  /** Up to `n` distinct random members matching `pred` (self never included). */
  sample(n: number, pred: (r: MemberRecord) => boolean): MemberRecord[] {
    const out: MemberRecord[] = [];
    const len = this.order.length;
    if (len === 0 || n <= 0) return out;
    // Random probing into the order array: cheap when most members match, bounded otherwise.
    const seen = new Set<string>();
    for (let tries = 0; tries < len * 3 && out.length < n && seen.size < len; tries++) {
      const id = this.order[this.random.int(len)]!;
      if (seen.has(id)) continue;
      seen.add(id);
      const r = this.records.get(id);
      if (r && r.id !== this.selfId && pred(r)) out.push(r);
    }
    return out;
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
