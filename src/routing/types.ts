import type { AbortOptions } from '../runtime/index.js';
import type { Address } from '../transport/index.js';

/** A peer as routing knows it: its node id (64 lowercase hex) and where it listens. */
export interface Contact {
  readonly id: string;
  readonly address: Address;
}

/** One routing-table entry, as {@link RoutingTable.entries} reports it. */
export interface TableEntry extends Contact {
  /** Clock time (ms) the peer was last heard from. */
  readonly lastSeen: number;
  /** Smoothed round-trip time, once measured. */
  readonly rttMs?: number;
  /** Consecutive failed requests since the peer was last heard from. */
  readonly failures: number;
}

/**
 * What lookups need from the network. The node implements it with a FIND_NODE request
 * on a stream to `to`; simulations substitute their own. Must reject (not hang) when
 * `opts.signal` aborts. Peers' answers are untrusted: the lookup validates them.
 */
export interface RoutingNet {
  findNode(to: Contact, target: string, opts: AbortOptions): Promise<Contact[]>;
}

/**
 * The liveness check a full bucket runs on its least-recently-seen entry: true when
 * the peer answered. Rejections count as "no answer".
 */
export type PingFn = (peer: Contact, opts: AbortOptions) => Promise<boolean>;

/** What {@link RoutingTable.observe} did with a contact. */
export type ObserveResult =
  /** New entry in a bucket with room (or that just evicted a failed entry). */
  | 'added'
  /** Already known: moved to the tail (most recently seen). */
  | 'updated'
  /** Bucket full: kept in the replacement cache while the oldest entry is pinged. */
  | 'checking'
  /** Bucket full and already checking (or no ping): kept in the replacement cache only. */
  | 'cached'
  /** Our own id. */
  | 'ignored'
  /** Malformed id or address (counted in stats). */
  | 'rejected';

/** Counters for tools and tests; every rejected input is counted under a reason. */
export interface TableStats {
  size: number;
  /** Buckets holding at least one entry. */
  buckets: number;
  replacements: number;
  added: number;
  evicted: number;
  /** Liveness checks of a full bucket's oldest entry, and how many found it dead. */
  checks: number;
  checkFailures: number;
  rejected: Record<string, number>;
}

/** Progress of one lookup, for tooling (`lookupEvents`). `hop` = the contact's discovery depth. */
export type LookupEvent =
  | { type: 'query'; peer: Contact; hop: number; timeoutMs: number; at: number }
  | { type: 'response'; peer: Contact; hop: number; rttMs: number; contacts: number; at: number }
  | { type: 'timeout'; peer: Contact; hop: number; timeoutMs: number; at: number }
  | { type: 'failure'; peer: Contact; hop: number; error: Error; at: number }
  | { type: 'done'; result: LookupResult; at: number };

/** What a lookup found and what it cost. */
export interface LookupResult {
  target: string;
  /** Up to k peers that answered, closest to the target first (self never included). */
  closest: Contact[];
  /** Distinct peers sent a FIND_NODE. */
  queried: number;
  /** Wire messages: requests sent plus responses received. */
  messages: number;
  /**
   * Path length to the closest node found: 1 + the number of responses on the chain
   * that revealed it (1 = it was already in our table, 2 = a table peer named it…).
   */
  hops: number;
  /** Depth of the deepest answered query: sequential round trips the lookup needed. */
  rounds: number;
  timeouts: number;
  durationMs: number;
}

/** Lookup counters; `rejected` counts bad input (ours and peers') by reason. */
export interface LookupStats {
  lookups: number;
  succeeded: number;
  failed: number;
  aborted: number;
  queries: number;
  timeouts: number;
  rejected: Record<string, number>;
}
