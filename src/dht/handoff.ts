import { type Contact, compareDistance, idKey } from '../routing/index.js';
import type { DhtContext } from './context.js';
import { pushRecords } from './requests.js';
import type { DhtRecord } from './types.js';

/**
 * Kademlia's churn rule: a node that learns of a new peer pushes it the stored records
 * whose key it is now among the `replicas` closest to. To keep it from flooding, only the
 * `handoffSenders` nodes closest to a key push it, a peer is handed off at most once per
 * cooldown, hand-offs run one at a time from a bounded queue, and each examines at most
 * `maxHandoffScan` keys (those closest to us first) and pushes at most `maxHandoffRecords`.
 */
export class Handoffs {
  private readonly queue: Contact[] = [];
  private readonly recent = new Map<string, number>();
  private running = false;

  constructor(private readonly cx: DhtContext) {}

  get pending(): number {
    return this.queue.length;
  }

  /** Queues a hand-off to `peer`; false when it had one recently or the queue is full. */
  enqueue(peer: Contact): boolean {
    const t = this.cx.tunables;
    const now = this.cx.clock.now();
    const last = this.recent.get(peer.id);
    if (last !== undefined && now - last < t.handoffCooldownMs) return false;
    if (this.queue.some((c) => c.id === peer.id)) return false;
    if (this.queue.length >= t.maxHandoffQueue) {
      this.cx.counters.handoffsDropped++;
      return false;
    }
    this.queue.push(peer);
    return true;
  }

  /** Runs queued hand-offs until the queue is empty (no-op when already running). */
  async drain(signal: AbortSignal): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let peer = this.queue.shift(); peer && !signal.aborted; peer = this.queue.shift()) {
        this.remember(peer.id);
        const records = this.recordsFor(peer);
        if (records.length === 0) continue;
        this.cx.counters.handoffs++;
        this.cx.counters.handoffRecords += records.length;
        try {
          await pushRecords(this.cx, peer, records, signal);
        } catch (err) {
          this.cx.logger?.debug({ err, peer: peer.id }, 'DHT hand-off failed');
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Drops what is queued. */
  clear(): void {
    this.queue.length = 0;
  }

  /** The stored records (and tombstones) `peer` should now hold, within the scan and record bounds. */
  recordsFor(peer: Contact): DhtRecord[] {
    const { store, tunables } = this.cx;
    const out: DhtRecord[] = [];
    for (const key of store.nearestKeys(tunables.maxHandoffScan)) {
      if (!this.shouldPush(key, peer.id)) continue;
      for (const r of store.replicable(key)) {
        if (out.length >= tunables.maxHandoffRecords) return out;
        out.push(r);
      }
    }
    return out;
  }

  /** `peer` ranks among the `replicas` closest to `key` and we among the `handoffSenders` closest, not counting it. */
  private shouldPush(key: string, peer: string): boolean {
    const { table, replicas, tunables, selfId } = this.cx;
    const t = idKey(key);
    const p = idKey(peer);
    const self = idKey(selfId);
    const others = table
      .closest(key, replicas + 1)
      .filter((c) => c.id !== peer)
      .map((c) => idKey(c.id));
    let peerRank = compareDistance(self, p, t) < 0 ? 1 : 0;
    for (const o of others) if (compareDistance(o, p, t) < 0) peerRank++;
    if (peerRank >= replicas) return false;
    let selfRank = 0;
    for (const o of others) if (compareDistance(o, self, t) < 0) selfRank++;
    return selfRank < tunables.handoffSenders;
  }

  private remember(id: string): void {
    const now = this.cx.clock.now();
    this.recent.delete(id);
    this.recent.set(id, now);
    // Bounded: the oldest entries (insertion order) go once they are past the cooldown or too many.
    const cap = 16 * this.cx.tunables.maxHandoffQueue;
    for (const [k, at] of this.recent) {
      if (this.recent.size <= cap && now - at < this.cx.tunables.handoffCooldownMs) break;
      this.recent.delete(k);
    }
  }
}
