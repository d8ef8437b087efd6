import type { LogSink } from '../logging/index.js';
import type { AbortOptions } from '../runtime/index.js';
import type { Address } from '../transport/index.js';

/** One live connection, as {@link PeerLinks.connected} reports it. */
export interface LinkInfo {
  /** The peer's node id. */
  id: string;
  /** `outbound` = this node dialed it. */
  direction: 'inbound' | 'outbound';
  /** Smoothed round-trip time. */
  rttMs: number;
  /**
   * Milliseconds since messages (pub/sub, RPC) last crossed the connection; undefined when
   * none did. A connection nobody wants but that carries traffic is kept (see `inUseMs`).
   */
  idleMs?: number;
}

/** What the topology needs from the node. */
export interface PeerLinks {
  /**
   * Resolves once connected & handshaken (also when already connected, or when a
   * simultaneous dial by the peer won); rejects on failure. Must honour `opts.signal`.
   */
  connect(id: string, address: Address, opts: AbortOptions): Promise<void>;
  /** Closes the connection to `id`, if any. */
  disconnect(id: string, reason: string): Promise<void>;
  /** Connections that completed their handshake, one per peer. */
  connected(): ReadonlyArray<LinkInfo>;
}

/** An alive member, as membership reports it. */
export interface TopologyMember {
  /** Node id: 64 lowercase hex characters. */
  id: string;
  /** Where to dial it. */
  address: Address;
}

/** Why a connection exists: a ring neighbour, a long-range link, or neither (kept or pending prune). */
export type LinkRole = 'ring' | 'long-range' | 'extra';

/** Logging the topology does (pino, the `logging` module's Logger and the node's logger all fit). */
export type TopologyLogger = LogSink;

/** The state of the topology, for the node's `topology()` API and `renderTopology`. */
export interface TopologySnapshot {
  self: string;
  k: number;
  maxConnections: number;
  /** Desired peers: the ring neighbours first (at most k, nearest first), then the long-range links. */
  desired: string[];
  connections: Array<{ id: string; direction: 'inbound' | 'outbound'; rttMs: number; role: LinkRole }>;
  /** Members being dialed now. */
  pendingDials: string[];
  /** Members waiting to be redialed: `attempt` = consecutive failures so far. */
  backoffs: Array<{ id: string; attempt: number; nextAttemptInMs: number }>;
}
