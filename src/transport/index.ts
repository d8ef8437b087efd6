export { BaseStream, type StreamDriver } from './base-stream.js';
export { CONNECTION_REFUSED_CODE, STREAM_REFUSED_CODE } from './codes.js';
export {
  ConnectionClosedError,
  EndpointClosedError,
  StreamResetError,
  TLS_ALERT,
  TlsError,
  TransportError,
  TransportUsageError,
} from './errors.js';
export { Inbox } from './inbox.js';
export {
  type LinkConditions,
  MemoryNetwork,
  type MemoryNetworkOptions,
  type NetworkStats,
} from './memory/index.js';
export { createQuicTransport, QuicEndpoint, type QuicTransport } from './quic/index.js';
export type {
  Address,
  CloseInfo,
  Connection,
  ConnectionStats,
  DialOptions,
  Endpoint,
  EndpointOptions,
  EndpointStats,
  PeerInfo,
  Stream,
  StreamCloseInfo,
  StreamOpenOptions,
  TlsOptions,
  Transport,
} from './types.js';
