import type { TimerHandle } from '../runtime/index.js';
import type { DhtContext } from './context.js';
import { signRecord } from './record.js';
import type { DhtRecord } from './types.js';

/** A record this node owns and keeps alive. */
export interface OwnedRecord {
  readonly appKey: string;
  readonly key: string;
  value: Uint8Array;
  ttlMs: number;
  /** The latest signed version. */
  record: DhtRecord;
  timer?: TimerHandle;
  /** Nodes that accepted the last version stored (undefined before the first store ended). */
  stored?: number;
  /** A republish is due within a second (a peer joined while the record was thin). */
  soon?: boolean;
}

/**
 * The records this node put and has not removed: re-signed with seq + 1 and a fresh
 * issuedAt every ttl/2 and stored again on the (current) closest nodes, so they never
 * expire while the owner lives and follow the network as it changes.
 */
export class OwnedRecords {
  private readonly map = new Map<string, OwnedRecord>();
  /** Last seq used, over all keys: a seq is never reused in this process, even after a failed put. */
  private lastSeq = 0;
  private running = false;

  constructor(
    private readonly cx: DhtContext,
    /** Called when an owned record is due for republishing. */
    private readonly onDue: (o: OwnedRecord) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): OwnedRecord | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /**
   * A new signed version of `key`. Seqs follow the wall clock (at least last + 1), so a
   * restarted owner still outranks the records its previous run left in the network.
   */
  sign(key: string, value: Uint8Array, ttlMs: number): DhtRecord {
    this.lastSeq = Math.max(this.lastSeq + 1, Math.floor(this.cx.wallClock()));
    const issuedAt = Math.max(0, Math.floor(this.cx.wallClock()));
    return signRecord(this.cx.signer, this.cx.realm, { key, value, seq: this.lastSeq, issuedAt, ttlMs });
  }

  set(o: OwnedRecord): void {
    this.map.set(o.key, o);
  }

  /** Forgets `key` and cancels its republishing. */
  delete(key: string): void {
    const o = this.map.get(key);
    if (o?.timer) this.cx.clock.clearTimeout(o.timer);
    this.map.delete(key);
  }

  /** (Re)arms `o`'s republish timer for `delayMs` from now (only while started). */
  schedule(o: OwnedRecord, delayMs = o.ttlMs / 2): void {
    if (o.timer) this.cx.clock.clearTimeout(o.timer);
    o.timer = undefined;
    if (!this.running || this.map.get(o.key) !== o) return;
    o.timer = this.cx.clock.setTimeout(() => {
      o.timer = undefined;
      o.soon = false;
      this.onDue(o);
    }, delayMs);
  }

  /**
   * A peer joined: every record stored on fewer than `replicas` nodes is republished a
   * second from now (joins that come together share one republish), so a record put while
   * this node was alone or the network small reaches the newcomers.
   */
  republishThin(replicas: number): void {
    for (const o of this.map.values()) {
      if (o.soon || o.stored === undefined || o.stored >= replicas) continue;
      o.soon = true;
      this.schedule(o, 1_000);
    }
  }

  start(): void {
    this.running = true;
    for (const o of this.map.values()) this.schedule(o);
  }

  stop(): void {
    this.running = false;
    for (const o of this.map.values()) this.schedule(o);
  }
}
