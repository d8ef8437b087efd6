import type { Contact } from '../routing/index.js';
import type { AbortOptions } from '../runtime/index.js';
import type { DhtErrorCode } from './errors.js';

/**
 * One owner's signed entry under a key. A key holds a set of records, at most one per
 * owner (like provider records): topic → subscribers, procedure → providers.
 */
export interface DhtRecord {
  /** 64 lowercase hex: SHA-256 of the UTF-8 app key ({@link dhtKey}). */
  readonly key: string;
  /** The owner's node id (64 lowercase hex). */
  readonly owner: string;
  /** The owner's raw 32-byte Ed25519 public key; SHA-256 of its SPKI DER is `owner`. */
  readonly ownerKey: Uint8Array;
  /** Opaque application bytes, at most `maxValueBytes`. */
  readonly value: Uint8Array;
  /** The owner's version of this record: a higher seq replaces a lower one. */
  readonly seq: number;
  /** The owner's wall clock (ms since the epoch) when it signed the record. */
  readonly issuedAt: number;
  /** Lifetime from `issuedAt` (ms); 0 makes it a tombstone that deletes the owner's record. */
  readonly ttlMs: number;
  /** Ed25519 over the canonical MessagePack of `[realm, key, owner, value, seq, issuedAt, ttlMs]`. */
  readonly sig: Uint8Array;
}

/**
 * A record as it travels: a MessagePack-friendly array
 * `[key(32 B), owner(32 B), ownerKey(32 B), value, seq, issuedAt, ttlMs, sig(64 B)]`.
 * Build it with `encodeRecord`, read it with `decodeRecord` (strict).
 */
export type WireRecord = [
  key: Uint8Array,
  owner: Uint8Array,
  ownerKey: Uint8Array,
  value: Uint8Array,
  seq: number,
  issuedAt: number,
  ttlMs: number,
  sig: Uint8Array,
];

/** What one STORE did with each record, in order: `'OK'` or the rejection code. */
export interface StoreReply {
  results: ('OK' | DhtErrorCode)[];
}

/** A FIND_VALUE answer: the peer's records for the key and its closest contacts to it. */
export interface FindValueReply {
  records: WireRecord[];
  contacts: Contact[];
}

/**
 * What the DHT needs from the network. The node implements it with DHT_STORE /
 * DHT_FIND_VALUE stream requests carrying {@link storeRequest} / {@link findValueRequest}
 * payloads, answered by the remote `Dht.handleStore` / `Dht.handleFindValue`; simulations
 * substitute their own. Must reject (not hang) when `opts.signal` aborts. Answers are
 * untrusted: the Dht validates their shape and every record in them.
 */
export interface DhtNet {
  store(to: Contact, records: WireRecord[], opts: AbortOptions): Promise<StoreReply>;
  findValue(to: Contact, key: string, opts: AbortOptions): Promise<FindValueReply>;
  /**
   * Tells node `to` (one-way, best effort, never throws) that the records under `key`
   * changed here: it read them recently and may hold a stale answer.
   */
  changed?(to: string, key: string): void;
}

/** Bounds of the local store, and of what it accepts. Every path of the store respects them. */
export interface DhtLimits {
  /** Live records held in total. Default 65 536. */
  maxRecords: number;
  /** Live records under one key (one per owner). Default 1 024. */
  maxRecordsPerKey: number;
  /** Live records of one owner held here (also the most one node may own). Default 256. */
  maxRecordsPerOwner: number;
  /** Largest value. Default 4 096 bytes. */
  maxValueBytes: number;
  /** Accounted bytes held (each record: value + {@link RECORD_OVERHEAD_BYTES}). Default 64 MiB. */
  maxBytes: number;
  /** Tombstones remembered (the soonest to expire go first when full). Default 8 192. */
  maxTombstones: number;
  /** Longest lifetime honoured: a longer `ttlMs` is cut to it. Default 24 h. */
  maxTtlMs: number;
  /** How far in the future `issuedAt` may be (clock skew allowance). Default 60 s. */
  maxSkewMs: number;
  /** Most records in one STORE request (FIND_VALUE answers carry up to `maxRecordsPerKey`). Default 64. */
  maxRecordsPerMessage: number;
}

/** Fixed bytes charged per stored record on top of its value (ids, keys, signature, bookkeeping). */
export const RECORD_OVERHEAD_BYTES = 512;

export const DEFAULT_DHT_LIMITS: Readonly<DhtLimits> = {
  maxRecords: 65_536,
  maxRecordsPerKey: 1_024,
  maxRecordsPerOwner: 256,
  maxValueBytes: 4_096,
  maxBytes: 64 * 1024 * 1024,
  maxTombstones: 8_192,
  maxTtlMs: 24 * 60 * 60_000,
  maxSkewMs: 60_000,
  maxRecordsPerMessage: 64,
};

/** Timing and fan-out of the {@link Dht} service. */
export interface DhtTunables {
  /** Lifetime of a put without `ttlMs`. Default 1 h (republished every 30 min). */
  defaultTtlMs: number;
  /** Closest answering nodes a get asks for the value (more when some fail). Default 3. */
  getFanout: number;
  /** Deadline of one STORE / FIND_VALUE request (ms). Default 5 000. */
  requestTimeoutMs: number;
  /** Period of the expiry sweep (ms). Default 60 000. */
  sweepIntervalMs: number;
  /** Period of the replica republish (ms); keys stored to us within it are skipped. Default 1 h. */
  replicaRepublishIntervalMs: number;
  /** Keys one replica republish round may push (the rest wait for the next). Default 128. */
  maxRepublishKeysPerRound: number;
  /** A new peer gets a key's records only from the nodes ranked this close to the key. Default 2. */
  handoffSenders: number;
  /**
   * For this long after `start` (ms) the node hands off nothing: the peers it learns of
   * while joining are not new to the network, they already hold their records. Default 60 s.
   */
  handoffGraceMs: number;
  /** A peer gets at most one hand-off per this period (ms). Default 10 min. */
  handoffCooldownMs: number;
  /** Joined peers waiting for a hand-off; more are dropped (and counted). Default 64. */
  maxHandoffQueue: number;
  /** Stored keys examined per hand-off, closest to us first. Default 4 096. */
  maxHandoffScan: number;
  /** Records pushed per hand-off. Default 1 024. */
  maxHandoffRecords: number;
  /** Value bytes in one FIND_VALUE answer (the rest is left out). Default 1 MiB. */
  maxReplyBytes: number;
}

export const DEFAULT_DHT_TUNABLES: Readonly<DhtTunables> = {
  defaultTtlMs: 60 * 60_000,
  getFanout: 3,
  requestTimeoutMs: 5_000,
  sweepIntervalMs: 60_000,
  replicaRepublishIntervalMs: 60 * 60_000,
  maxRepublishKeysPerRound: 128,
  handoffSenders: 2,
  handoffGraceMs: 60_000,
  handoffCooldownMs: 10 * 60_000,
  maxHandoffQueue: 64,
  maxHandoffScan: 4_096,
  maxHandoffRecords: 1_024,
  maxReplyBytes: 1024 * 1024,
};

/** Counters of the local {@link RecordStore}; `rejected` and `evicted` by reason. */
export interface StoreStats {
  records: number;
  tombstones: number;
  keys: number;
  bytes: number;
  /** Records newly stored, replacing a lower seq, or re-sent unchanged. */
  accepted: number;
  replaced: number;
  refreshed: number;
  /** Records deleted by their owner's tombstone. */
  deleted: number;
  /** Records and tombstones dropped when their time was up. */
  expired: number;
  /** Records dropped to make room: `distance` (a farther key), `tombstones`. */
  evicted: Record<string, number>;
  rejected: Record<string, number>;
}

/** Counters of a {@link Dht}. */
export interface DhtStats {
  store: StoreStats;
  /** Records this node owns (republished while it lives). */
  owned: number;
  puts: number;
  putFailures: number;
  gets: number;
  getFailures: number;
  removes: number;
  /** Owner republishes done / that reached nobody. */
  republished: number;
  republishFailures: number;
  /** Keys pushed by replica republish rounds. */
  replicaKeys: number;
  handoffs: number;
  handoffRecords: number;
  handoffsDropped: number;
  /** Requests sent: STORE and FIND_VALUE, and how many failed (timeout, error, bad reply). */
  sent: { store: number; findValue: number; failed: number };
  /** Requests served. */
  served: { store: number; findValue: number };
  /** Records in peers' answers that were dropped, and malformed answers/requests, by code. */
  dropped: Record<string, number>;
}
