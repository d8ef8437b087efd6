import type { Update } from './types.js';

interface Item {
  update: Update;
  transmits: number;
  /** Superseded by a newer update about the same member, or dropped. */
  dead: boolean;
}

/**
 * Rumours waiting to be piggybacked. Each is sent at most `limit` times; the least-sent
 * go first (newest first among equals), and a new rumour about a member replaces the
 * older one, so the queue never holds two updates about one member. Buckets by transmit
 * count keep selection O(picked) however long the queue is.
 */
export class BroadcastQueue {
  private readonly byMember = new Map<string, Item>();
  private buckets: Item[][] = [[]];
  private live = 0;
  /** Superseded items still sitting in a bucket (dropped lazily, compacted when many). */
  private stale = 0;
  /** Scratch lists of take(), kept to spare two allocations per datagram. */
  private readonly requeue: Item[] = [];
  private readonly skipped: Item[] = [];

  constructor(private readonly maxItems: number) {}

  get size(): number {
    return this.live;
  }

  /** Queues `u`, replacing any queued update about the same member. */
  push(u: Update): void {
    const old = this.byMember.get(u.id);
    if (old) {
      this.kill(old);
      this.stale++;
      if (this.stale > this.live + 64) this.compact();
    }
    const item: Item = { update: u, transmits: 0, dead: false };
    this.byMember.set(u.id, item);
    this.bucket(0).push(item);
    this.live++;
    if (this.live > this.maxItems) this.dropMostSent();
  }

  /**
   * Takes updates that fit `budget` bytes (each costs `size(u)`), counting one transmit
   * each; an update sent `limit` times leaves the queue. `first` (buddy system) goes first.
   */
  take(budget: number, limit: number, size: (u: Update) => number, first?: Update): Update[] {
    const out: Update[] = [];
    let left = budget;
    if (first) {
      left -= size(first);
      out.push(first);
    }
    if (this.live === 0) return out;
    const requeue = this.requeue;
    const skipped = this.skipped;
    for (let t = 0; t < this.buckets.length && left > 0; t++) {
      const b = this.buckets[t]!;
      skipped.length = 0;
      // Newest first: pop from the end; stop after a few that do not fit.
      while (b.length > 0 && left > 0 && skipped.length < 4) {
        const item = b.pop()!;
        if (item.dead) {
          this.stale--;
          continue;
        }
        if (first && item.update === first) {
          skipped.push(item);
          continue;
        }
        const s = size(item.update);
        if (s > left) {
          skipped.push(item);
          continue;
        }
        left -= s;
        out.push(item.update);
        item.transmits++;
        if (item.transmits >= limit) this.kill(item);
        else requeue.push(item);
      }
      for (let i = skipped.length - 1; i >= 0; i--) b.push(skipped[i]!);
    }
    for (const item of requeue) this.bucket(item.transmits).push(item);
    requeue.length = 0;
    skipped.length = 0;
    return out;
  }

  /** Forgets every queued update. */
  clear(): void {
    this.byMember.clear();
    this.buckets = [[]];
    this.live = 0;
    this.stale = 0;
  }

  /** Forgets the queued update about `id` (e.g. the member was removed). */
  remove(id: string): void {
    const old = this.byMember.get(id);
    if (old) {
      this.kill(old);
      this.stale++;
    }
  }

  /** Drops superseded items from the buckets (order kept), so heavy churn does not pile them up. */
  private compact(): void {
    this.buckets = this.buckets.map((b) => b.filter((item) => !item.dead));
    this.stale = 0;
  }

  private bucket(t: number): Item[] {
    while (this.buckets.length <= t) this.buckets.push([]);
    return this.buckets[t]!;
  }

  private kill(item: Item): void {
    if (item.dead) return;
    item.dead = true;
    this.live--;
    if (this.byMember.get(item.update.id) === item) this.byMember.delete(item.update.id);
  }

  private dropMostSent(): void {
    for (let t = this.buckets.length - 1; t >= 0 && this.live > this.maxItems; t--) {
      const b = this.buckets[t]!;
      while (b.length > 0 && this.live > this.maxItems) {
        const item = b.shift()!;
        if (item.dead) this.stale--;
        else this.kill(item);
      }
    }
  }
}
