import type { AbortOptions } from '../runtime/index.js';
import type { Address } from '../transport/index.js';

/** A member's state as this node believes it. `left` = announced a graceful leave. */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** One member of the realm, as `members()` reports it. */
export interface Member {
  /** Node id, 64 hex characters. */
  readonly id: string;
  readonly name?: string;
  /** Where the member's UDP endpoint listens (membership and QUIC share it). */
  readonly address: Address;
  /** Raised only by the member itself, to refute suspicion or announce a new address. */
  readonly incarnation: number;
  readonly state: MemberState;
  /** Clock time (ms) of the last state change. */
  readonly since: number;
}

/** What a member claims about itself in an `alive` update: id, address and the key its id derives from. */
export interface AliveUpdate {
  t: 'alive';
  id: string;
  inc: number;
  addr: Address;
  /** Raw 32-byte Ed25519 public key; SHA-256 of its SPKI is `id`. */
  key: Uint8Array;
  name?: string;
}

/** A membership rumour, piggybacked on protocol messages. `from` = the accuser. */
export type Update =
  | AliveUpdate
  | { t: 'suspect'; id: string; inc: number; from: string }
  | { t: 'dead'; id: string; inc: number; from: string }
  | { t: 'left'; id: string; inc: number };

/**
 * SWIM protocol messages (one per UDP datagram). `target` names the node a ping is meant
 * for, so a different node now at that address does not answer for it.
 */
export type SwimMessage =
  | { t: 'ping'; seq: number; target: string; updates: Update[] }
  | { t: 'ack'; seq: number; updates: Update[] }
  /** Ask the receiver to probe `target` at `addr` and relay the ack (indirect probe). */
  | { t: 'ping-req'; seq: number; target: string; addr: Address; updates: Update[] }
  /** Lifeguard: the relay of a ping-req heard nothing from the target in time. */
  | { t: 'nack'; seq: number; updates: Update[] }
  /** Rumours only, pushed between protocol periods while there is news. */
  | { t: 'gossip'; updates: Update[] };

/** One entry of a push-pull state exchange. */
export interface SyncEntry {
  id: string;
  inc: number;
  state: MemberState;
  addr: Address;
  key: Uint8Array;
  name?: string;
}

/** A push-pull message: the sender's whole member table (itself included). */
export interface SyncState {
  entries: SyncEntry[];
  /** True when the sender is joining (the receiver then spreads its alive update at once). */
  join: boolean;
}

/** The authenticated sender of a message: the adapter has verified the signature. */
export interface Sender {
  id: string;
  address: Address;
}

/**
 * What membership needs from the network. The node implements it with signed UDP
 * datagrams on its endpoint plus a stream for push-pull; simulations can substitute their own.
 */
export interface MembershipNet {
  /** Fire-and-forget datagram; may be lost. Must not throw. */
  send(to: Address, msg: SwimMessage): void;
  /** Reliable push-pull exchange with the node at `to`; resolves with its id and table, rejects when it cannot be done. */
  sync(to: Address, state: SyncState, opts: AbortOptions): Promise<{ from: string; state: SyncState }>;
}

export interface MembershipEvents {
  'member:join': Member;
  'member:alive': Member;
  'member:suspect': Member;
  'member:dead': Member;
  'member:leave': Member;
  /** Address or name changed (a restarted member on a new port). */
  'member:update': Member;
}

/** Counters for tools and tests; every rejected input is counted under a reason. */
export interface MembershipStats {
  members: number;
  alive: number;
  suspect: number;
  probes: number;
  probeFailures: number;
  indirectProbes: number;
  refutations: number;
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  syncs: number;
  /** Local health multiplier (Lifeguard): 0 = healthy. */
  health: number;
  rejected: Record<string, number>;
}
