import type { LogSink } from '../logging/index.js';
import type { Clock, Random } from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import type { MembershipNet } from './types.js';

/** A logger membership writes to (pino-compatible subset). */
export type MembershipLogger = LogSink;

/**
 * SWIM + Lifeguard tunables. Defaults target a LAN or one data centre: a dead member is
 * suspected within about two protocol periods and declared dead after the suspicion
 * timeout, which shrinks from `suspicionMaxMult`× to 1× its minimum as independent
 * members confirm the suspicion.
 */
export interface SwimTunables {
  /** Protocol period: one member probed per period (ms). */
  probeIntervalMs: number;
  /** Direct-ping wait before asking others to probe indirectly (ms). */
  probeTimeoutMs: number;
  /** Members asked to probe indirectly (ping-req) when a direct ping goes unanswered. */
  indirectChecks: number;
  /** λ: each update is sent about λ·log10(N+1) times. */
  retransmitMult: number;
  /** Minimum suspicion timeout = mult · log10(max(N, 10)) · probeInterval. */
  suspicionMult: number;
  /** Maximum suspicion timeout = this × the minimum (used while nobody confirms). */
  suspicionMaxMult: number;
  /** Independent confirmations that bring the suspicion timeout down to its minimum. */
  suspicionConfirmations: number;
  /** Lifeguard local health: highest multiplier applied to probe interval and timeout. */
  maxHealth: number;
  /** Rumours are also pushed to `gossipNodes` random members this often while any are queued (ms, 0 = off). */
  gossipIntervalMs: number;
  /** Members each gossip round sends to. */
  gossipNodes: number;
  /** Full-state push-pull with a random member; scaled up above 32 members (ms, 0 = off). */
  pushPullIntervalMs: number;
  /** Try a push-pull with a random dead member this often, to heal partitions (ms, 0 = off). */
  reconnectIntervalMs: number;
  /**
   * For this long after a dead verdict, one such member per probe period is pinged with
   * its verdict, so one that was only stalled refutes it at once (ms, 0 = off).
   */
  tellDeadMs: number;
  /** Dead and left members are forgotten after this long (ms). */
  deadRetentionMs: number;
  /** Datagram budget for one message with its piggybacked updates (bytes). */
  maxPacketBytes: number;
  /** Upper bound on the member table (new members beyond it are rejected and counted). */
  maxMembers: number;
  /** Upper bound on queued rumours (the most-retransmitted are dropped first). */
  maxQueuedUpdates: number;
  /** Timeout of one push-pull exchange (ms). */
  syncTimeoutMs: number;
}

export const DEFAULT_TUNABLES: SwimTunables = {
  probeIntervalMs: 400,
  probeTimeoutMs: 160,
  indirectChecks: 3,
  retransmitMult: 4,
  suspicionMult: 1,
  suspicionMaxMult: 8,
  suspicionConfirmations: 3,
  maxHealth: 8,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  pushPullIntervalMs: 30_000,
  reconnectIntervalMs: 10_000,
  tellDeadMs: 30_000,
  deadRetentionMs: 10 * 60_000,
  maxPacketBytes: 1200,
  maxMembers: 100_000,
  maxQueuedUpdates: 4096,
  syncTimeoutMs: 5000,
};

/** Who this node is, as membership announces it. */
export interface LocalMember {
  id: string;
  address: Address;
  /** Raw 32-byte Ed25519 public key the id derives from. */
  key: Uint8Array;
  name?: string;
  /** Starting incarnation (default 0). */
  incarnation?: number;
}

export interface SwimOptions {
  self: LocalMember;
  net: MembershipNet;
  clock: Clock;
  random: Random;
  tunables?: Partial<SwimTunables>;
  logger?: MembershipLogger;
  /**
   * Checks that an `alive` claim's key derives the claimed id (see `checkAliveKey`).
   * Simulations may pass `() => true` when ids are not real key hashes.
   */
  checkKey?: (id: string, key: Uint8Array) => boolean;
  /** Bytes an update adds to a datagram (default: the wire codec's exact size). */
  updateSize?: (u: import('./types.js').Update) => number;
}
