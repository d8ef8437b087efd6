import type { Clock, Random } from '../runtime/index.js';
import { Bucket, bucketCounts, deepestNonEmpty, newSlot, type Slot, viewSlot } from './bucket.js';
import { closestIn } from './closest.js';
import { isContact } from './contacts.js';
import { bump } from './errors.js';
import { checkId, ID_BITS, type IdKey, idKey, isNodeIdHex, prefixLength, randomIdInBucket } from './id.js';
import { Liveness } from './liveness.js';
import { positiveInt, type RoutingTableOptions } from './table-options.js';
import type { Contact, ObserveResult, TableEntry, TableStats } from './types.js';

/**
 * A Kademlia routing table for one realm: 256 buckets indexed by the length of the
 * prefix a peer shares with us, k entries each, least-recently-seen first. Old entries
 * are preferred (long-lived peers tend to stay): a newcomer to a full bucket waits in
 * a bounded replacement cache while the oldest entry is pinged, and takes its place
 * only if it does not answer. Memory is bounded by 256 · (k + replacements) entries.
 */
export class RoutingTable {
  readonly selfId: string;
  readonly k: number;
  private readonly self: IdKey;
  private readonly clock: Clock;
  private readonly cacheSize: number;
  private readonly liveness: Liveness | undefined;
  private readonly maxFailures: number;
  private readonly buckets: (Bucket | undefined)[] = new Array(ID_BITS);
  /** Last lookup into each bucket's range, for refresh. */
  private readonly touched: Float64Array;
  private readonly index = new Map<string, Slot>();
  private closed = false;
  private readonly counters = { added: 0, evicted: 0, checks: 0, checkFailures: 0 };
  private readonly rejected: Record<string, number> = {};

  constructor(o: RoutingTableOptions) {
    this.selfId = checkId(o.selfId, 'self id');
    this.self = idKey(this.selfId);
    this.clock = o.clock;
    this.k = positiveInt(o.k ?? 20, 'k');
    this.cacheSize = o.replacements ?? this.k;
    this.liveness = o.ping && new Liveness(o.clock, o.ping, o.pingTimeoutMs ?? 2000);
    this.maxFailures = positiveInt(o.maxFailures ?? 3, 'maxFailures');
    this.touched = new Float64Array(ID_BITS).fill(o.clock.now());
  }

  get size(): number {
    return this.index.size;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  get(id: string): TableEntry | undefined {
    const s = this.index.get(id);
    return s && viewSlot(s);
  }

  /** The bucket `id` belongs in (its common-prefix length with us; 256 for our own id). */
  bucketOf(id: string): number {
    return prefixLength(this.self, idKey(checkId(id)));
  }

  /**
   * Records that `contact` was heard from (a request or an answer it sent). Known peers
   * move to the tail; new ones are inserted, or wait for a slot when their bucket is full.
   */
  observe(contact: Contact, info?: { rttMs?: number }): ObserveResult {
    if (!isContact(contact)) {
      bump(this.rejected, 'bad-contact');
      return 'rejected';
    }
    if (contact.id === this.selfId) return 'ignored';
    const now = this.clock.now();
    const known = this.index.get(contact.id);
    const key = known ?? idKey(contact.id);
    const b = this.bucketAt(prefixLength(this.self, key));
    if (known) {
      b.heard(known, now, contact.address, info?.rttMs);
      return 'updated';
    }
    const slot = newSlot(key, contact.address, now, info?.rttMs);
    // An entry that already failed a request gives way at once, without a ping.
    const stale = b.entries.length >= this.k ? b.entries.find((s) => s.failures > 0) : undefined;
    if (stale) this.drop(b, stale, false);
    if (b.entries.length < this.k) {
      b.dropReplacement(slot.id);
      b.entries.push(slot);
      this.index.set(slot.id, slot);
      this.counters.added++;
      return 'added';
    }
    b.cache(slot, this.cacheSize);
    if (!this.liveness || b.checking || this.closed) return 'cached';
    this.check(b, b.entries[0]!);
    return 'checking';
  }

  /** Forgets `id`; a waiting replacement takes its slot. True when it was an entry. */
  remove(id: string): boolean {
    const s = this.index.get(id);
    if (!s) {
      if (isNodeIdHex(id)) this.buckets[this.bucketOf(id)]?.dropReplacement(id);
      return false;
    }
    this.drop(this.bucketAt(prefixLength(this.self, s)), s, true);
    return true;
  }

  /**
   * Notes a request `id` did not answer. The entry is dropped once it failed `maxFailures`
   * times in a row, or at once when a replacement is waiting. True when it was dropped.
   */
  recordFailure(id: string): boolean {
    const s = this.index.get(id);
    if (!s) return false;
    s.failures++;
    const b = this.bucketAt(prefixLength(this.self, s));
    if (s.failures < this.maxFailures && b.replacements.length === 0) return false;
    this.drop(b, s, true);
    return true;
  }

  /** The `n` known peers closest to `target` by XOR distance, closest first (exact). */
  closest(target: string, n: number = this.k): Contact[] {
    const t = idKey(checkId(target, 'target id'));
    return closestIn(this.buckets, prefixLength(this.self, t), t, n).map((s) => ({
      id: s.id,
      address: s.address,
    }));
  }

  /** Snapshots of every entry, bucket by bucket (least-recently-seen first within one). */
  entries(): TableEntry[] {
    return this.buckets.flatMap((b) => b?.entries.map(viewSlot) ?? []);
  }

  /**
   * Buckets nobody looked up for `intervalMs`, from 0 up to the deepest non-empty one
   * (deeper buckets are covered by a lookup of our own id).
   */
  bucketsNeedingRefresh(now: number, intervalMs: number): number[] {
    const out: number[] = [];
    for (let i = 0, deepest = deepestNonEmpty(this.buckets); i <= deepest; i++)
      if (now - this.touched[i]! >= intervalMs) out.push(i);
    return out;
  }

  /** Records a lookup into bucket `index`'s range (resets its refresh timer). */
  markRefreshed(index: number, now = this.clock.now()): void {
    if (index >= 0 && index < ID_BITS) this.touched[index] = now;
  }

  /** A random id in bucket `index`'s range, to look up when refreshing it. */
  refreshTarget(index: number, random: Random): string {
    return randomIdInBucket(this.selfId, index, random);
  }

  stats(): TableStats {
    return {
      size: this.size,
      ...bucketCounts(this.buckets),
      ...this.counters,
      rejected: { ...this.rejected },
    };
  }

  /** Resolves when no liveness check is running (tests; graceful shutdown). */
  async idle(): Promise<void> {
    await this.liveness?.idle();
  }

  /** Cancels running liveness checks and starts no new ones. */
  close(): void {
    this.closed = true;
    this.liveness?.close();
  }

  private bucketAt(i: number): Bucket {
    let b = this.buckets[i];
    if (!b) {
      b = new Bucket();
      this.buckets[i] = b;
    }
    return b;
  }

  private drop(b: Bucket, s: Slot, promote: boolean): void {
    b.entries.splice(b.entries.indexOf(s), 1);
    this.index.delete(s.id);
    this.counters.evicted++;
    const r = promote ? b.replacements.pop() : undefined;
    if (r) {
      b.entries.push(r);
      this.index.set(r.id, r);
      this.counters.added++;
    }
  }

  /** Pings the oldest entry: it stays if it answers, else the newest replacement takes over. */
  private check(b: Bucket, oldest: Slot): void {
    b.checking = true;
    this.counters.checks++;
    const started = this.clock.now();
    this.liveness!.check(oldest, (alive) => {
      b.checking = false;
      if (this.index.get(oldest.id) !== oldest) return;
      if (alive) b.heard(oldest, this.clock.now());
      else if (oldest.lastSeen <= started) {
        this.counters.checkFailures++;
        this.drop(b, oldest, true);
      }
    });
  }
}
