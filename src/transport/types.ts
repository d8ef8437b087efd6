import type { AbortOptions, Clock } from '../runtime/index.js';
import type { TransportError } from './errors.js';

/** A UDP address. `host` is an IP literal (or a name the OS resolves, for dialing). */
export interface Address {
  host: string;
  port: number;
}

/** What a {@link TlsOptions.verifyPeer} hook receives. */
export interface PeerInfo {
  /** The peer's certificate chain, DER, leaf first. Never empty: both sides must present one. */
  certificates: readonly Uint8Array[];
  remoteAddress: Address;
  /** Our role on this connection. */
  role: 'client' | 'server';
}

/** TLS 1.3 with mutual authentication: both sides present a certificate. */
export interface TlsOptions {
  /** PEM certificate chain, leaf first. */
  cert: string;
  /** PEM private key of the leaf (Ed25519, ECDSA P-256/384 or RSA). */
  key: string;
  /**
   * PEM CA certificate(s) the peer's chain must be issued by. Unset: any chain passes TLS
   * and {@link verifyPeer} decides (self-signed identities, where the key is the identity).
   */
  ca?: string | readonly string[];
  /**
   * Runs on both sides once TLS has checked the chain; throw or reject to refuse the
   * connection (the peer sees a TLS alert). Node identity and realm checks live here.
   */
  verifyPeer?: (peer: PeerInfo) => void | Promise<void>;
}

/** Options common to every transport's endpoint. */
export interface EndpointOptions {
  /** Interface to bind; default `0.0.0.0`. */
  host?: string;
  /** UDP port; 0 (default) picks a free one. */
  port?: number;
  tls: TlsOptions;
  /**
   * Accept incoming connections (default true). When false, hellos are dropped silently
   * (the dialer times out) and counted in `dropped.unknownConnection`; the endpoint still dials.
   */
  acceptIncoming?: boolean;
  /** A connection with no traffic for this long is closed (default 30 000 ms). */
  idleTimeoutMs?: number;
  /** Send a keep-alive when idle this long (default idleTimeoutMs / 3; 0 disables). */
  keepAliveMs?: number;
  /** Default dial timeout (default 10 000 ms). */
  dialTimeoutMs?: number;
  /** Streams the peer may have open towards us at once, per direction kind (default 1024). */
  maxIncomingStreams?: number;
  /** Connections this endpoint keeps at once, both roles together (default 10 000); extra hellos are dropped and counted in `dropped.overCapacity`. */
  maxConnections?: number;
  /** Incoming streams / datagrams / connections queued for the application before overflow (default 1024). */
  acceptQueueSize?: number;
  /** Stream buffer high-water mark in bytes, each direction (default 256 KiB). */
  streamHighWaterMark?: number;
  /**
   * Hand out resumed connections, and their streams, during 0-RTT (before the client's
   * handshake completes). Early data can be replayed by an attacker, so only enable this
   * when the first request on a connection is safe to run twice. Default false: early data
   * is buffered until the handshake completes.
   */
  acceptEarlyData?: boolean;
  /**
   * Told when an incoming connection fails its handshake before it was handed out (a
   * refused or refusing certificate, a handshake timeout): the accepting side otherwise
   * never hears of it. Outgoing failures reject `dial()` instead.
   */
  onHandshakeError?: (info: { remoteAddress: Address; error: Error }) => void;
  /** Clock used for timeouts (default: the system clock). */
  clock?: Clock;
}

export interface DialOptions extends AbortOptions {
  /** TLS server name (SNI); default none. */
  serverName?: string;
  /**
   * 0-RTT: when a session ticket for this address is cached, resolve at once and send
   * the first streams' data with the ClientHello. Falls back to a normal dial without a
   * ticket. Early data can be replayed: use it for idempotent requests only. A refusal
   * by the peer then surfaces on `closed` (and the streams) instead of on `dial`.
   */
  earlyData?: boolean;
}

export interface StreamOpenOptions extends AbortOptions {
  /** A send-only stream; the peer can only read it. */
  unidirectional?: boolean;
}

/** Why and how a connection ended. */
export interface CloseInfo {
  /** Application close code (0 = normal) or QUIC transport error code. */
  code: number;
  reason: string;
  /** `local`: we closed; `remote`: the peer closed; `idle`: idle timeout; `error`: a transport or TLS failure. */
  kind: 'local' | 'remote' | 'idle' | 'error';
  error?: TransportError;
}

export interface StreamCloseInfo {
  /** `finished`: both directions ended cleanly; `reset`: a side reset it; `connection`: the connection went away. */
  kind: 'finished' | 'reset' | 'connection';
  /** Reset code, when reset. */
  code?: number;
}

export interface ConnectionStats {
  /** Smoothed round-trip time in milliseconds. */
  rttMs: number;
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  streamsOpened: number;
  streamsAccepted: number;
  datagramsSent: number;
  datagramsReceived: number;
  /** Datagrams dropped because a queue was full (ours or the application's). */
  datagramsDropped: number;
}

export interface EndpointStats {
  connections: number;
  packetsReceived: number;
  packetsSent: number;
  bytesReceived: number;
  bytesSent: number;
  /** Packets dropped as unparseable, for unknown connections, over a rate limit, and so on. */
  dropped: {
    malformed: number;
    unknownConnection: number;
    rateLimited: number;
    overCapacity: number;
  };
  handshakesFailed: number;
}

/**
 * One direction-aware byte stream. Reads return chunks until the peer's FIN (`null`);
 * writes resolve once the bytes are buffered below the high-water mark, which is the
 * backpressure signal: awaiting each write keeps memory bounded.
 */
export interface Stream extends AsyncIterable<Uint8Array> {
  readonly id: number;
  readonly unidirectional: boolean;
  readonly initiator: 'local' | 'remote';
  /** Bytes accepted by `write` but not yet handed to the network. */
  readonly writableLength: number;
  /** Next chunk, or `null` once the peer finished. Rejects with StreamResetError if reset. */
  read(opts?: AbortOptions): Promise<Uint8Array | null>;
  write(data: Uint8Array, opts?: AbortOptions): Promise<void>;
  /** Half-closes our side (FIN) after everything written so far. */
  end(data?: Uint8Array, opts?: AbortOptions): Promise<void>;
  /** Aborts both directions with an application code. */
  reset(code?: number): void;
  /** Resolves when both directions are done. Never rejects. */
  readonly closed: Promise<StreamCloseInfo>;
}

export interface Connection {
  readonly id: string;
  readonly role: 'client' | 'server';
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  /** Peer certificate chain (DER, leaf first), as verified during the handshake. */
  readonly peerCertificates: readonly Uint8Array[];
  /** True when the TLS session was resumed from an earlier connection's ticket. */
  readonly resumed: boolean;
  /** Largest datagram payload `sendDatagram` takes now (0 when datagrams are unavailable). */
  readonly maxDatagramSize: number;
  /** Opens a stream; waits (never fails) while the peer's stream limit is reached. */
  openStream(opts?: StreamOpenOptions): Promise<Stream>;
  /** Next stream the peer opened. Rejects with ConnectionClosedError once closed. */
  acceptStream(opts?: AbortOptions): Promise<Stream>;
  /**
   * Routes incoming streams to `handler` instead of `acceptStream` (one handler at a time:
   * a new one replaces the previous). Returns an unsubscribe function. A handler that
   * throws or rejects is reported as a process warning (`MACULA_HANDLER_ERROR`).
   */
  onStream(handler: (stream: Stream) => unknown): () => void;
  /** Sends an unreliable datagram. False when it was dropped (send queue full or closing). */
  sendDatagram(data: Uint8Array): boolean;
  /** Next datagram received. Rejects with ConnectionClosedError once closed. */
  receiveDatagram(opts?: AbortOptions): Promise<Uint8Array>;
  /** Routes incoming datagrams to `handler` instead of `receiveDatagram` (same rules as `onStream`). */
  onDatagram(handler: (data: Uint8Array) => unknown): () => void;
  stats(): ConnectionStats;
  /** Closes the connection and resolves once it is closed. Idempotent. */
  close(opts?: { code?: number; reason?: string }): Promise<void>;
  /** Resolves when the connection is gone, whatever the reason. Never rejects. */
  readonly closed: Promise<CloseInfo>;
}

export interface Endpoint {
  /** The bound address (with the real port when 0 was asked). */
  readonly address: Address;
  dial(address: Address, opts?: DialOptions): Promise<Connection>;
  /** Next incoming connection (already verified). Rejects with EndpointClosedError once closed. */
  accept(opts?: AbortOptions): Promise<Connection>;
  /** Routes incoming connections to `handler` instead of `accept` (same rules as `Connection.onStream`). */
  onConnection(handler: (conn: Connection) => unknown): () => void;
  /** Live connections, both roles. */
  connections(): Connection[];
  /** Sends a raw UDP datagram from the endpoint's own socket (NAT hole punching, STUN). */
  sendRaw(address: Address, data: Uint8Array): Promise<void>;
  /** Receives datagrams that are not QUIC (first byte with the fixed bit clear, such as STUN). */
  onRaw(handler: (data: Uint8Array, from: Address) => void): () => void;
  stats(): EndpointStats;
  /** Closes every connection (with `code`/`reason`) and the socket. Idempotent. */
  close(opts?: { code?: number; reason?: string }): Promise<void>;
  readonly closed: Promise<void>;
}

/** A way to make endpoints: QUIC over UDP, or the in-memory network. */
export interface Transport {
  readonly name: string;
  createEndpoint(opts: EndpointOptions): Promise<Endpoint>;
}
