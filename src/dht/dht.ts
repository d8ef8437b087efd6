import { type Contact, isContact } from '../routing/index.js';
import { type AbortOptions, withDeadline } from '../runtime/index.js';
import { type DhtContext, type DhtCounters, newCounters } from './context.js';
import { dhtKey, isHex64 } from './crypto.js';
import { bump, DhtError } from './errors.js';
import { getRecords } from './get.js';
import { Maintenance } from './maintenance.js';
import { type DhtOptions, dhtContext, type PutOptions } from './options.js';
import type { OwnedRecord, OwnedRecords } from './owned.js';
import { type ReplicateOutcome, replicate } from './replicate.js';
import { serveFindValue, serveStore } from './serve.js';
import type { RecordStore } from './store.js';
import type { DhtRecord, DhtStats } from './types.js';
import { Watchers } from './watchers.js';

/**
 * The DHT: a registry of signed records, one per owner under each key (topic →
 * subscribers, procedure → providers), stored on the `replicas` nodes closest to the key.
 * Transport-agnostic: requests go through the injected {@link DhtNet}; the node routes
 * incoming DHT_STORE / DHT_FIND_VALUE requests to {@link handleStore} / {@link handleFindValue}
 * and reports new routing-table peers to {@link peerJoined}.
 */
export class Dht {
  readonly store: RecordStore;
  private readonly cx: DhtContext;
  private readonly counters: DhtCounters = newCounters();
  private readonly owned: OwnedRecords;
  private readonly maintenance: Maintenance;
  private readonly watchers: Watchers;
  private readonly changeListeners = new Set<(key: string) => void>();

  constructor(o: DhtOptions) {
    this.cx = dhtContext(o, this.counters);
    this.store = this.cx.store;
    this.maintenance = new Maintenance(this.cx);
    this.owned = this.maintenance.owned;
    this.watchers = new Watchers(this.cx.clock);
  }

  /**
   * Publishes this node's record under `appKey`: signs it (a new seq), stores it on the
   * `replicas` nodes closest to `dhtKey(appKey)` (this node included when it is one of
   * them) and keeps it alive, republishing every ttl/2 until {@link remove} or stop.
   * Resolves with the key and how many nodes accepted it; rejects DhtError PUT_FAILED
   * (cause attached) when none did.
   */
  async put(
    appKey: string,
    value: Uint8Array,
    opts: PutOptions = {},
  ): Promise<{ key: string; stored: number }> {
    this.counters.puts++;
    try {
      const key = dhtKey(appKey);
      const ttlMs = opts.ttlMs ?? this.cx.tunables.defaultTtlMs;
      this.checkPut(key, value, ttlMs);
      const record = this.owned.sign(key, value, ttlMs);
      const prev = this.owned.get(key);
      const entry: OwnedRecord = prev ?? { appKey, key, value, ttlMs, record };
      const before = { value: entry.value, ttlMs: entry.ttlMs, record: entry.record };
      Object.assign(entry, { value: Uint8Array.from(value), ttlMs, record });
      this.owned.set(entry);
      // On failure the previous version (if any) stays the one republished.
      const rollback = () => {
        if (entry.record !== record) return; // a later put took over
        if (prev) Object.assign(entry, before);
        else this.owned.delete(key);
      };
      let out: ReplicateOutcome;
      try {
        out = await withDeadline(this.cx.clock, opts, 'DHT put', (s) => replicate(this.cx, key, [record], s));
      } catch (err) {
        rollback();
        throw err;
      }
      if (out.stored === 0) {
        rollback();
        throw new DhtError('PUT_FAILED', `No node accepted the record for ${appKey}`, {
          cause: new AggregateError(out.errors, 'every replica refused or failed'),
        });
      }
      entry.stored = out.stored;
      this.owned.schedule(entry);
      return { key, stored: out.stored };
    } catch (err) {
      this.counters.putFailures++;
      throw err;
    }
  }

  /**
   * The live records under `appKey`, one (the newest) per owner, ordered by owner id:
   * this node's, merged with those of the closest nodes that answer. Every record from a
   * peer is verified; bad ones are dropped and counted in `stats().dropped`.
   */
  async get(appKey: string, opts: AbortOptions = {}): Promise<DhtRecord[]> {
    this.counters.gets++;
    try {
      const key = dhtKey(appKey);
      return await withDeadline(this.cx.clock, opts, 'DHT get', (s) => getRecords(this.cx, key, s));
    } catch (err) {
      this.counters.getFailures++;
      throw err;
    }
  }

  /**
   * Deletes this node's record under `appKey`: stops republishing it and stores a
   * tombstone (seq + 1, ttlMs 0) on the closest nodes. Rejects PUT_FAILED when no node
   * accepted the tombstone (the record then lives until it expires).
   */
  async remove(appKey: string, opts: AbortOptions = {}): Promise<void> {
    this.counters.removes++;
    const key = dhtKey(appKey);
    this.owned.delete(key);
    const tomb = this.owned.sign(key, new Uint8Array(0), 0);
    const out = await withDeadline(this.cx.clock, opts, 'DHT remove', (s) =>
      replicate(this.cx, key, [tomb], s),
    );
    if (out.stored === 0) {
      throw new DhtError('PUT_FAILED', `No node accepted the removal of ${appKey}`, {
        cause: new AggregateError(out.errors, 'every replica refused or failed'),
      });
    }
  }

  /** Serves a DHT_STORE request from `fromId`: a `StoreReply`. Throws DhtError on a malformed request. */
  handleStore(fromId: string, payload: unknown): unknown {
    const changed = new Set<string>();
    const reply = serveStore(this.cx, fromId, payload, (key) => changed.add(key));
    for (const key of changed) this.tellReaders(key, fromId);
    return reply;
  }

  /** Serves a DHT_FIND_VALUE request: a `FindValueReply`. Throws DhtError on a malformed request. */
  handleFindValue(fromId: string, payload: unknown): unknown {
    const reply = serveFindValue(this.cx, fromId, payload);
    this.watchers.read((payload as { key: string }).key, fromId); // well formed: serveFindValue checked it
    return reply;
  }

  /**
   * Listens for "the records under this key changed" notes from the nodes that served
   * this node's reads (`key` is the hashed 64-hex DHT key). Returns the unsubscribe function.
   */
  onChanged(listener: (key: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** A change note from `fromId` arrived (the node's handler of DHT_CHANGED). Ignores malformed keys. */
  remoteChanged(fromId: string, key: unknown): void {
    if (!isHex64(key)) {
      bump(this.counters.dropped, 'INVALID_KEY');
      return;
    }
    this.cx.logger?.debug({ from: fromId.slice(0, 8), key: key.slice(0, 8) }, 'DHT: a key I read changed');
    for (const l of this.changeListeners) l(key);
  }

  private tellReaders(key: string, writer: string): void {
    const notify = this.cx.net.changed;
    if (!notify) return;
    for (const reader of this.watchers.readersOf(key))
      if (reader !== writer) notify.call(this.cx.net, reader, key);
  }

  /**
   * A peer was added to the routing table: hand it the stored records it is now
   * responsible for (bounded, batched, one peer at a time; see `Handoffs`). Only while
   * started, and not in the first `handoffGraceMs` (while this node itself is joining).
   */
  peerJoined(contact: Contact): void {
    if (isContact(contact) && contact.id !== this.cx.selfId) this.maintenance.peerJoined(contact);
  }

  /** Starts the timers: owner republish, expiry sweep, replica republish. */
  start(): void {
    this.maintenance.start();
  }

  /** Stops every timer and cancels background work (owned records are kept; `start` resumes). */
  stop(): void {
    this.maintenance.stop();
  }

  /** Resolves once no background work (republish, hand-off) is running. For tests and shutdown. */
  async idle(): Promise<void> {
    await this.maintenance.idle();
  }

  stats(): DhtStats {
    const c = this.counters;
    return {
      ...c,
      store: this.store.stats(),
      owned: this.owned.size,
      sent: { ...c.sent },
      served: { ...c.served },
      dropped: { ...c.dropped },
    };
  }

  private checkPut(key: string, value: Uint8Array, ttlMs: number): void {
    const l = this.cx.limits;
    if (!(value instanceof Uint8Array)) throw new DhtError('INVALID_RECORD', 'a value is a Uint8Array');
    if (value.length > l.maxValueBytes) {
      throw new DhtError('TOO_LARGE', `a value is at most ${l.maxValueBytes} bytes, got ${value.length}`);
    }
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > l.maxTtlMs) {
      throw new DhtError('INVALID_RECORD', `ttlMs must be an integer of 1–${l.maxTtlMs}, got ${ttlMs}`);
    }
    if (!this.owned.has(key) && this.owned.size >= l.maxRecordsPerOwner) {
      throw new DhtError('QUOTA', `this node already owns ${l.maxRecordsPerOwner} records`);
    }
  }
}
