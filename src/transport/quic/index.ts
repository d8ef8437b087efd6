import type { EndpointOptions, Transport } from '../types.js';
import { QuicEndpoint } from './endpoint.js';

export { ALPN } from './config.js';
export { QuicEndpoint } from './endpoint.js';

/** The QUIC transport; its endpoints are {@link QuicEndpoint}s (which add `abort()` and handshake counters). */
export interface QuicTransport extends Transport {
  createEndpoint(opts: EndpointOptions): Promise<QuicEndpoint>;
}

/** The QUIC transport (RFC 9000, TLS 1.3 mutual auth) on quiche's raw API. */
export function createQuicTransport(): QuicTransport {
  return { name: 'quic', createEndpoint: (opts) => QuicEndpoint.bind(opts) };
}
