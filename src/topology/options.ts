import { InvalidArgumentError } from '../core/index.js';
import type { Clock, Random } from '../runtime/index.js';
import { type BackoffOptions, backoffOptions } from '../runtime/index.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { isRingId } from './ring.js';
import type { PeerLinks, TopologyLogger } from './types.js';

/** Options of `ConnectionManager`. */
export interface ConnectionManagerOptions {
  /** This node's id (64 lowercase hex characters). */
  self: string;
  /** Ring neighbours to keep: ceil(k/2) successors and floor(k/2) predecessors. Use an even k for symmetric links. */
  k: number;
  /** Long-range links to keep; default ⌈log2(N)/2⌉ capped at 6 (see `defaultLongRangeCount`). */
  longRange?: number;
  /** Hard bound on connections (inbound + outbound). */
  maxConnections: number;
  clock: Clock;
  random: Random;
  links: PeerLinks;
  /** Redial backoff; default 500 ms, ×2, max 30 s, ±20 % jitter. */
  backoff?: BackoffOptions;
  /** How long an outbound connection nobody wants stays open before we close it (default 30 000 ms). */
  pruneGraceMs?: number;
  /**
   * A connection that carried messages within this many ms is "in use": not pruned, and
   * evicted only after the unused ones (least recently used first). Default 30 000 ms.
   */
  inUseMs?: number;
  /** Passed to {@link PeerLinks.connect} as `timeoutMs` (default 15 000 ms). */
  dialTimeoutMs?: number;
  logger?: TopologyLogger;
}

/** Options with their defaults applied. */
export type ResolvedOptions = Required<Omit<ConnectionManagerOptions, 'longRange'>> &
  Pick<ConnectionManagerOptions, 'longRange'>;

/** Default `inUseMs`: a connection that carried messages this recently is in use. */
export const DEFAULT_IN_USE_MS = 30_000;

const quiet: TopologyLogger = { debug() {}, info() {}, warn() {} };

/** Validates `opts` and applies the defaults. @throws InvalidArgumentError */
export function resolveOptions(opts: ConnectionManagerOptions): ResolvedOptions {
  const int = (v: number | undefined, min: number) => v === undefined || (Number.isInteger(v) && v >= min);
  if (!isRingId(opts.self)) throw new InvalidArgumentError(`Invalid self id ${opts.self}`);
  if (!int(opts.k, 0) || !int(opts.longRange, 0) || !int(opts.maxConnections, 1)) {
    throw new InvalidArgumentError('k and longRange must be integers >= 0, maxConnections >= 1');
  }
  const backoff = backoffOptions(opts.backoff, DEFAULT_BACKOFF);
  return {
    ...opts,
    backoff,
    pruneGraceMs: opts.pruneGraceMs ?? 30_000,
    inUseMs: opts.inUseMs ?? DEFAULT_IN_USE_MS,
    dialTimeoutMs: opts.dialTimeoutMs ?? 15_000,
    logger: opts.logger ?? quiet,
  };
}
