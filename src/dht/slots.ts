import { MinHeap } from '../runtime/index.js';
import { KeyOrder, xorHex } from './key-order.js';
import type { DhtRecord } from './types.js';

/** One stored key: its owners' entries, ordered in {@link KeyOrder} by distance to self. */
export interface KeySlot {
  readonly key: string;
  /** XOR distance to self, as hex. */
  readonly dist: string;
  readonly owners: Map<string, Entry>;
  live: number;
  /** Wall time a record of this key was last stored or re-sent here. */
  touchedAt: number;
}

/** One owner's record (or tombstone) under a key. */
export interface Entry {
  readonly record: DhtRecord;
  /** Wall time it stops counting (for a tombstone: when it is forgotten). */
  readonly expires: number;
  /** Accounted bytes (0 for tombstones). */
  readonly bytes: number;
  readonly tomb: boolean;
  readonly slot: KeySlot;
  gone: boolean;
}

/**
 * The store's bookkeeping, without its rules: key slots, per-owner counts, totals, and
 * expiry heaps (live records and tombstones apart) with lazy deletion, rebuilt before
 * dropped entries pile up. Every count is exact after each `add` / `drop`.
 */
export class Slots {
  readonly keys = new Map<string, KeySlot>();
  readonly order = new KeyOrder<KeySlot>();
  private readonly ownerLive = new Map<string, number>();
  readonly liveHeap = new MinHeap<Entry>();
  readonly tombHeap = new MinHeap<Entry>();
  live = 0;
  tombs = 0;
  bytes = 0;

  constructor(private readonly selfId: string) {}

  entry(key: string, owner: string): Entry | undefined {
    return this.keys.get(key)?.owners.get(owner);
  }

  liveOf(owner: string): number {
    return this.ownerLive.get(owner) ?? 0;
  }

  add(r: DhtRecord, expires: number, bytes: number, tomb: boolean, now: number): void {
    let slot = this.keys.get(r.key);
    if (!slot) {
      slot = { key: r.key, dist: xorHex(r.key, this.selfId), owners: new Map(), live: 0, touchedAt: now };
      this.keys.set(r.key, slot);
      this.order.insert(slot);
    }
    const e: Entry = { record: r, expires, bytes: tomb ? 0 : bytes, tomb, slot, gone: false };
    slot.owners.set(r.owner, e);
    slot.touchedAt = now;
    if (tomb) {
      this.tombs++;
      this.tombHeap.push(expires, e);
      return;
    }
    slot.live++;
    this.live++;
    this.bytes += e.bytes;
    this.ownerLive.set(r.owner, this.liveOf(r.owner) + 1);
    this.liveHeap.push(expires, e);
  }

  drop(e: Entry): void {
    e.gone = true;
    const slot = e.slot;
    slot.owners.delete(e.record.owner);
    if (e.tomb) {
      this.tombs--;
    } else {
      slot.live--;
      this.live--;
      this.bytes -= e.bytes;
      const n = this.liveOf(e.record.owner) - 1;
      if (n > 0) this.ownerLive.set(e.record.owner, n);
      else this.ownerLive.delete(e.record.owner);
    }
    if (slot.owners.size === 0) {
      this.keys.delete(slot.key);
      this.order.remove(slot);
    }
    const heap = e.tomb ? this.tombHeap : this.liveHeap;
    if (heap.size > 2 * (e.tomb ? this.tombs : this.live) + 1024) heap.compact((x) => !x.gone);
  }

  /** Drops the heap's earliest entry when it is due (true), skipping entries already gone. */
  popExpired(heap: MinHeap<Entry>, now: number): boolean {
    for (let top = heap.peek(); top; top = heap.peek()) {
      if (top.item.gone) {
        heap.pop();
        continue;
      }
      if (top.at > now) return false;
      heap.pop();
      this.drop(top.item);
      return true;
    }
    return false;
  }

  /** Removes and returns the heap's earliest entry still held (not dropped yet). */
  popEarliest(heap: MinHeap<Entry>): Entry | undefined {
    for (let top = heap.pop(); top; top = heap.pop()) if (!top.item.gone) return top.item;
    return undefined;
  }

  /** The key farthest from self that holds a live record. */
  farthestLive(): KeySlot | undefined {
    const items = this.order.items;
    for (let i = items.length - 1; i >= 0; i--) if (items[i]!.live > 0) return items[i];
    return undefined;
  }

  /** The live record of `slot` that expires first (the one worth least). */
  soonestIn(slot: KeySlot): Entry | undefined {
    let best: Entry | undefined;
    for (const e of slot.owners.values()) if (!e.tomb && (!best || e.expires < best.expires)) best = e;
    return best;
  }

  /** Drops `slot`'s expired live records; returns how many. */
  purgeExpired(slot: KeySlot, now: number): number {
    let n = 0;
    for (const e of [...slot.owners.values()]) {
      if (!e.tomb && e.expires <= now) {
        this.drop(e);
        n++;
      }
    }
    return n;
  }
}
