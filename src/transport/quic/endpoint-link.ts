// The contract between an endpoint and its connections: what a QuicConnection may ask
// of the endpoint that owns its socket.

import type { Clock } from '../../runtime/index.js';
import type { Address } from '../types.js';
import type { QuicConnection } from './connection.js';

/** What a connection needs from its endpoint. */
export interface EndpointLink {
  readonly clock: Clock;
  readonly localAddress: Address;
  sendPacket(data: Uint8Array, to: Address): void;
  /** Run this connection's send loop at the end of the current I/O batch. */
  markDirty(c: QuicConnection): void;
  /** A server-side connection passed every check. */
  surface(c: QuicConnection): void;
  /** quiche is done with the connection: forget its connection ids. */
  release(c: QuicConnection): void;
  handshakeFailed(): void;
}
