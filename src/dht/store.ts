import { bump, type DhtErrorCode } from './errors.js';
import { xorHex } from './key-order.js';
import { expiresAt, isTombstone, verifyRecord } from './record.js';
import { type Entry, Slots } from './slots.js';
import {
  DEFAULT_DHT_LIMITS,
  type DhtLimits,
  type DhtRecord,
  RECORD_OVERHEAD_BYTES,
  type StoreStats,
} from './types.js';

/** Options of a {@link RecordStore}. */
export interface RecordStoreOptions {
  /** This node's id: eviction keeps the keys closest to it. */
  selfId: string;
  /** Records are verified for this realm. */
  realm: string;
  limits?: Partial<DhtLimits>;
  /** Wall clock (ms since the epoch) that expiry is measured on. Default `Date.now`. */
  wallClock?: () => number;
}

type Result = 'OK' | DhtErrorCode;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/**
 * The local, bounded record store: key → owner → record. Every record is verified on
 * the way in. A record replaces its owner's previous one only with a higher seq (the same
 * seq and signature is a harmless re-send); a tombstone deletes the owner's record and is
 * remembered until that record would have expired, so a stale replica cannot bring it
 * back. When full, expired records go first, then records of the key farthest from us
 * when the new key is closer (we are least responsible for it); otherwise STORE_FULL.
 * Memory is bounded by `maxRecords` / `maxBytes` plus `maxTombstones`.
 */
export class RecordStore {
  readonly limits: DhtLimits;
  private readonly selfId: string;
  private readonly realm: string;
  private readonly wallClock: () => number;
  private readonly s: Slots;
  private readonly counters = { accepted: 0, replaced: 0, refreshed: 0, deleted: 0, expired: 0 };
  private readonly evicted: Record<string, number> = {};
  private readonly rejected: Record<string, number> = {};

  constructor(o: RecordStoreOptions) {
    this.selfId = o.selfId;
    this.realm = o.realm;
    this.limits = { ...DEFAULT_DHT_LIMITS, ...o.limits };
    this.wallClock = o.wallClock ?? Date.now;
    this.s = new Slots(o.selfId);
  }

  /** Live records held. */
  get size(): number {
    return this.s.live;
  }

  /** Verifies and stores `record`: 'OK' (stored, replaced or re-sent) or why it was refused (counted). */
  put(record: DhtRecord): Result {
    const now = this.wallClock();
    const code = verifyRecord(record, this.realm, now, this.limits) ?? this.insert(record, now);
    if (code !== 'OK') bump(this.rejected, code);
    else this.counters.accepted++;
    return code;
  }

  /** The live records under `key` (unexpired, no tombstones). */
  get(key: string): DhtRecord[] {
    return this.entries(key, false);
  }

  /** Live records and tombstones under `key`: what a replica hands on. */
  replicable(key: string): DhtRecord[] {
    return this.entries(key, true);
  }

  /** Stored keys (live or tombstone), closest to self first, at most `limit`. */
  nearestKeys(limit: number): string[] {
    return this.s.order.items.slice(0, Math.max(0, limit)).map((s) => s.key);
  }

  /** Up to `limit` keys no record was stored to since `before` (wall ms), closest to self first. */
  untouchedKeys(before: number, limit: number): string[] {
    const out: string[] = [];
    for (const s of this.s.order.items) {
      if (out.length >= limit) break;
      if (s.touchedAt <= before) out.push(s.key);
    }
    return out;
  }

  /** Notes that `key`'s records were just pushed to other replicas. */
  touch(key: string): void {
    const s = this.s.keys.get(key);
    if (s) s.touchedAt = this.wallClock();
  }

  /** Drops every expired record and forgotten tombstone; returns how many went. */
  sweep(): number {
    const now = this.wallClock();
    let n = 0;
    while (this.s.popExpired(this.s.liveHeap, now) || this.s.popExpired(this.s.tombHeap, now)) n++;
    this.counters.expired += n;
    return n;
  }

  stats(): StoreStats {
    return {
      records: this.s.live,
      tombstones: this.s.tombs,
      keys: this.s.keys.size,
      bytes: this.s.bytes,
      ...this.counters,
      evicted: { ...this.evicted },
      rejected: { ...this.rejected },
    };
  }

  private entries(key: string, withTombstones: boolean): DhtRecord[] {
    const slot = this.s.keys.get(key);
    if (!slot) return [];
    const now = this.wallClock();
    const out: DhtRecord[] = [];
    for (const e of slot.owners.values()) {
      if (e.expires > now && (withTombstones || !e.tomb)) out.push(e.record);
    }
    return out;
  }

  private insert(r: DhtRecord, now: number): Result {
    let existing = this.s.entry(r.key, r.owner);
    if (existing && existing.expires <= now) {
      this.s.drop(existing);
      this.counters.expired++;
      existing = undefined;
    }
    if (existing) {
      const old = existing.record;
      if (r.seq < old.seq || (r.seq === old.seq && !sameBytes(r.sig, old.sig))) return 'STALE';
      if (r.seq === old.seq) {
        existing.slot.touchedAt = now;
        this.counters.refreshed++;
        return 'OK';
      }
    }
    return isTombstone(r) ? this.insertTombstone(r, existing, now) : this.insertLive(r, existing, now);
  }

  private insertTombstone(r: DhtRecord, existing: Entry | undefined, now: number): Result {
    // Remembered as long as what it deleted could still turn up; with nothing here to
    // go by, as long as any record issued before it could live.
    const until =
      existing && !existing.tomb
        ? existing.expires
        : Math.max(existing?.expires ?? 0, expiresAt(r, this.limits.maxTtlMs));
    if (existing) {
      if (!existing.tomb) this.counters.deleted++;
      this.s.drop(existing);
    }
    if (this.limits.maxTombstones <= 0) return 'OK';
    while (this.s.tombs >= this.limits.maxTombstones) {
      if (this.s.popExpired(this.s.tombHeap, now)) {
        this.counters.expired++;
        continue;
      }
      const soonest = this.s.popEarliest(this.s.tombHeap);
      if (!soonest) break;
      this.s.drop(soonest);
      bump(this.evicted, 'tombstones');
    }
    this.s.add(r, until, 0, true, now);
    return 'OK';
  }

  private insertLive(r: DhtRecord, existing: Entry | undefined, now: number): Result {
    const l = this.limits;
    const bytes = r.value.length + RECORD_OVERHEAD_BYTES;
    const replacing = existing && !existing.tomb ? existing : undefined;
    if (!replacing) {
      if (this.s.liveOf(r.owner) >= l.maxRecordsPerOwner) return 'QUOTA';
      const slot = this.s.keys.get(r.key);
      if (slot && slot.live >= l.maxRecordsPerKey) {
        this.counters.expired += this.s.purgeExpired(slot, now);
        if (slot.live >= l.maxRecordsPerKey) return 'KEY_FULL';
      }
    }
    const full = this.makeRoom(r.key, replacing ? 0 : 1, bytes - (replacing?.bytes ?? 0), now);
    if (full) return full;
    if (existing) {
      if (replacing) this.counters.replaced++;
      this.s.drop(existing);
    }
    this.s.add(r, expiresAt(r, l.maxTtlMs), bytes, false, now);
    return 'OK';
  }

  /** Frees room for `records` more records and `bytes` more bytes, or says STORE_FULL. */
  private makeRoom(key: string, records: number, bytes: number, now: number): Result | undefined {
    let dist: string | undefined;
    while (this.s.live + records > this.limits.maxRecords || this.s.bytes + bytes > this.limits.maxBytes) {
      if (this.s.popExpired(this.s.liveHeap, now)) {
        this.counters.expired++;
        continue;
      }
      const far = this.s.farthestLive();
      dist ??= xorHex(key, this.selfId);
      const victim = far && dist < far.dist ? this.s.soonestIn(far) : undefined;
      if (!victim) return 'STORE_FULL';
      this.s.drop(victim);
      bump(this.evicted, 'distance');
    }
    return undefined;
  }
}
