export { BaseStream, type StreamDriver } from './base-stream.js';
export {
  ConnectionClosedError,
  EndpointClosedError,
  StreamResetError,
  TLS_ALERT,
  TlsError,
  TransportError,
  TransportUsageError,
} from './errors.js';
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
export { createQuicTransport, QuicEndpoint } from './quic/index.js';
