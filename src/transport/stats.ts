import type { EndpointStats } from './types.js';

/** Fresh, zeroed endpoint counters (both transports count the same things). */
export function emptyEndpointStats(): EndpointStats {
  return {
    connections: 0,
    packetsReceived: 0,
    packetsSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    dropped: { malformed: 0, unknownConnection: 0, rateLimited: 0, overCapacity: 0 },
    handshakesFailed: 0,
  };
}
