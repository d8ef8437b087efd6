import type { DiscoveryProvider } from '../discovery/index.js';
import type { LogSink } from '../logging/index.js';
import type { MembershipEvents, SwimTunables } from '../membership/index.js';
import type { AbortOptions, Clock, Random } from '../runtime/index.js';
import type { NodeIdentity } from '../security/index.js';
import type { Address, Transport } from '../transport/index.js';
import type { NodePubSubOptions } from './pubsub.js';
import type { RoutingOptions } from './routing.js';
import type { NodeDhtOptions } from './services.js';

/** Minimal logger the node writes to (pino-compatible). */
export type NodeLogger = LogSink;

export interface NodeOptions {
  /**
   * Who the node is (`generateIdentity`, `loadOrCreateIdentity`, `issueNodeCertificate`,
   * `loadCaIdentity`). With `identity.ca` set (CA mode), only peers holding a certificate
   * from that CA can connect.
   */
  identity: NodeIdentity;
  /** Human-readable name announced in the handshake (logs and tools only). */
  name?: string;
  listen?: { host?: string; port?: number };
  /** Defaults to QUIC. */
  transport?: Transport;
  capabilities?: string[];
  /** Handshake deadline after the transport connected (default 10 000 ms). */
  handshakeTimeoutMs?: number;
  /** Idle timeout of connections (default 30 000 ms). */
  idleTimeoutMs?: number;
  logger?: NodeLogger;
  clock?: Clock;
  /** Randomness for membership and topology (default: crypto; simulations pass a SeededRandom). */
  random?: Random;
  /**
   * Bootstrap nodes (`host:port`, `macula://host:port` or addresses): the node joins the
   * mesh through any one of them and keeps retrying until one answers.
   */
  bootstrap?: ReadonlyArray<string | Address>;
  /** More discovery providers, besides `bootstrap`. */
  discovery?: DiscoveryProvider[];
  /** SWIM tunables, or `false` for a node without membership (point-to-point use). */
  membership?: Partial<SwimTunables> | false;
  /** k-regular topology: k ring neighbours (even; default 4), long-range links, connection bound (default 64). */
  topology?: { k?: number; longRange?: number; maxConnections?: number };
  /** Kademlia routing and routed messages: bucket size, lookup tunables, dial-on-demand, hop limit. */
  routing?: RoutingOptions;
  /** DHT store limits, republish tunables and replica count (see docs/dht.md). */
  dht?: NodeDhtOptions;
  /** Pub/sub limits and retry tunables (see docs/pubsub.md). */
  pubsub?: NodePubSubOptions;
  /** Address announced to other members (default: the bound address; a wildcard host becomes this machine's first IPv4). */
  advertise?: Address;
}

export type PeerState = 'handshaking' | 'connected' | 'closing';

/** One live peer, as `connections()` reports it. */
export interface PeerSummary {
  nodeId: string;
  /** The name the peer announced, if any. */
  name?: string;
  address: Address;
  /** Who dialed: `outbound` = we did. */
  direction: 'inbound' | 'outbound';
  state: PeerState;
  rttMs: number;
  since: number;
}

export interface NodeStats {
  uptimeMs: number;
  activeConnections: number;
  /** Macula frames sent and received (all peers, since start). */
  messagesSent: number;
  messagesReceived: number;
  /** QUIC bytes on the current peers' connections. */
  bytesSent: number;
  bytesReceived: number;
  handshakesFailed: number;
}

export interface NodeEvents extends MembershipEvents {
  'peer:connected': PeerSummary;
  'peer:disconnected': { nodeId: string; reason: string };
  /** A connection was refused before it became a peer (wrong realm, untrusted certificate, failed handshake), by us or by the peer. */
  'peer:refused': { address: Address; reason: string; by: 'us' | 'peer' };
  error: Error;
}

export interface ConnectOptions extends AbortOptions {}
