/**
 * The one interface every implementation under test is wrapped in, so the server logic
 * (server-logic.ts) and the workloads (workloads.ts) are written once.
 */

export const IMPLEMENTATIONS = ['macula', 'matrixai', 'libp2p_quic'] as const;
export type ImplName = (typeof IMPLEMENTATIONS)[number];

/** What a stream carries: `echo` returns every byte; `sink` counts bytes and, after our FIN, replies with the count. */
export type StreamKind = 'echo' | 'sink';

/** PEM material made once per run (Ed25519, one CA). Implementations that bring their own identity ignore it. */
export interface TlsMaterial {
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  /** DNS name in the server certificate, for clients that check it. */
  serverName: string;
}

/** A bidirectional byte stream, reduced to what the workloads need. */
export interface BenchStream {
  /** Resolves when the implementation can take more (its backpressure signal). */
  write(data: Uint8Array): Promise<void>;
  /** Next chunk, or null after the peer's FIN. */
  read(): Promise<Uint8Array | null>;
  /** Sends FIN after everything written. */
  end(): Promise<void>;
  /** Aborts the stream (best effort, never throws). */
  abort(): void;
}

export interface BenchConnection {
  /** Whether TLS resumed an earlier session, where the implementation tells. */
  readonly resumed?: boolean;
  openStream(kind: StreamKind): Promise<BenchStream>;
  close(): Promise<void>;
}

/** A client endpoint / node. `connect` resolves once the connection is ready for streams. */
export interface BenchClient {
  connect(target: string): Promise<BenchConnection>;
  close(): Promise<void>;
}

export interface BenchServer {
  /** What clients pass to `connect` (host:port, or a multiaddr). */
  target: string;
  close(): Promise<void>;
}

export type StreamHandler = (kind: StreamKind, stream: BenchStream) => void;

export interface TransportAdapter {
  readonly name: ImplName;
  /** One-line description of how the implementation is configured, for the meta file. */
  readonly description: string;
  startServer(tls: TlsMaterial, handler: StreamHandler): Promise<BenchServer>;
  createClient(tls: TlsMaterial): Promise<BenchClient>;
}
