/**
 * What worker.ts needs from a system (NATS, libp2p): one connection or node per process,
 * used either as the subscriber/responder ('sub') or as the publisher/requester ('pub').
 */
export interface PeerAdapter {
  /** What the other process connects to (libp2p subscriber: its multiaddr; otherwise ''). */
  readonly address: string;
  /** How the system is configured, one line for the meta file. */
  readonly description: string;
  subscribe(topic: string, onMessage: (data: Uint8Array) => void): Promise<void>;
  /** Resolves once this publisher's messages on `topic` reach `count` subscribers. */
  waitForSubscribers(topic: string, count: number, timeoutMs: number): Promise<void>;
  /** One publish, as an application would call it (NATS: synchronous; libp2p: a promise). */
  publish(topic: string, data: Uint8Array): Promise<unknown> | undefined;
  /** Called by the flood between batches: waits for the system's own backpressure signal. */
  backpressure(): Promise<void>;
  /** Answers every request on `name` with `handler`'s reply. */
  serve(name: string, handler: (request: Uint8Array) => Uint8Array): Promise<void>;
  request(name: string, data: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

export type Role = 'sub' | 'pub';
