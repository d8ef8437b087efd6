import type { Clock } from '../runtime/index.js';
import type { PingFn } from './types.js';

/** Options of a {@link RoutingTable}. */
export interface RoutingTableOptions {
  /** This node's id (64 lowercase hex). */
  selfId: string;
  clock: Clock;
  /** Entries per bucket (Kademlia's k). Default 20. */
  k?: number;
  /** Replacement-cache size per bucket. Default k. */
  replacements?: number;
  /** Liveness check of a full bucket's oldest entry; without it, newcomers only wait in the cache. */
  ping?: PingFn;
  /** Time a liveness check may take (ms). Default 2000. */
  pingTimeoutMs?: number;
  /** Consecutive failures after which an entry is dropped even with no replacement waiting. Default 3. */
  maxFailures?: number;
}

/** `v` when it is a positive integer, else a RangeError naming `what`. */
export function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer, got ${v}`);
  return v;
}
