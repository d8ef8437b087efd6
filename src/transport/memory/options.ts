import { pemToDerChain } from '../../security/index.js';
import { TransportUsageError } from '../errors.js';
import type { EndpointOptions, TlsOptions } from '../types.js';
import { caList } from './handshake.js';
import type { PeerParams } from './packets.js';

/** EndpointOptions with every default applied and checked. */
export interface ResolvedEndpointOptions {
  host: string;
  port: number;
  tls: TlsOptions;
  ca: readonly string[] | undefined;
  chain: readonly Uint8Array[];
  acceptIncoming: boolean;
  keepAliveMs: number | undefined;
  dialTimeoutMs: number;
  maxConnections: number;
  acceptQueueSize: number;
  highWaterMark: number;
  params: PeerParams;
  onHandshakeError: EndpointOptions['onHandshakeError'];
}

function count(name: string, v: number | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v < min) throw new TransportUsageError(`${name} must be a number >= ${min}`);
  return v;
}

/** Applies the defaults of the in-memory transport (host 127.0.0.1, the rest as the contract says). */
export function resolveEndpointOptions(o: EndpointOptions): ResolvedEndpointOptions {
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TransportUsageError(`bad port ${port}`);
  if (!o.tls?.cert) throw new TransportUsageError('tls.cert is required');
  let chain: Uint8Array[];
  try {
    chain = pemToDerChain(o.tls.cert);
  } catch (cause) {
    throw new TransportUsageError(`tls.cert is not a PEM certificate chain: ${String(cause)}`);
  }
  if (chain.length === 0) throw new TransportUsageError('tls.cert holds no certificate');
  const idleTimeoutMs = count('idleTimeoutMs', o.idleTimeoutMs, 30_000);
  return {
    host: o.host ?? '127.0.0.1',
    port,
    tls: o.tls,
    ca: caList(o.tls),
    chain,
    acceptIncoming: o.acceptIncoming ?? true,
    keepAliveMs: o.keepAliveMs === undefined ? undefined : count('keepAliveMs', o.keepAliveMs, 0, 0),
    dialTimeoutMs: count('dialTimeoutMs', o.dialTimeoutMs, 10_000),
    maxConnections: count('maxConnections', o.maxConnections, 10_000),
    acceptQueueSize: count('acceptQueueSize', o.acceptQueueSize, 1024, 0),
    highWaterMark: count('streamHighWaterMark', o.streamHighWaterMark, 256 * 1024),
    params: {
      window: count('streamHighWaterMark', o.streamHighWaterMark, 256 * 1024),
      maxStreams: count('maxIncomingStreams', o.maxIncomingStreams, 1024),
      idleTimeoutMs,
    },
    onHandshakeError: o.onHandshakeError,
  };
}
