import { TransportUsageError } from '../errors.js';
import type { EndpointOptions } from '../types.js';
import { type QuicheConfig, quiche } from './native.js';

/** Our ALPN: peers that do not speak it cannot connect. */
export const ALPN = 'macula/1';

/** Fully defaulted endpoint settings. */
export interface ResolvedOptions {
  host: string;
  port: number;
  acceptIncoming: boolean;
  idleTimeoutMs: number;
  keepAliveMs: number;
  dialTimeoutMs: number;
  maxIncomingStreams: number;
  maxConnections: number;
  acceptQueueSize: number;
  streamHighWaterMark: number;
  acceptEarlyData: boolean;
}

export function resolveOptions(o: EndpointOptions): ResolvedOptions {
  const idleTimeoutMs = o.idleTimeoutMs ?? 30_000;
  const r: ResolvedOptions = {
    host: o.host ?? '0.0.0.0',
    port: o.port ?? 0,
    acceptIncoming: o.acceptIncoming ?? true,
    idleTimeoutMs,
    keepAliveMs: o.keepAliveMs ?? Math.floor(idleTimeoutMs / 3),
    dialTimeoutMs: o.dialTimeoutMs ?? 10_000,
    maxIncomingStreams: o.maxIncomingStreams ?? 1024,
    maxConnections: o.maxConnections ?? 10_000,
    acceptQueueSize: o.acceptQueueSize ?? 1024,
    streamHighWaterMark: o.streamHighWaterMark ?? 256 * 1024,
    acceptEarlyData: o.acceptEarlyData ?? false,
  };
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'number' && (!Number.isFinite(v) || v < 0))
      throw new TransportUsageError(`${k} must be a non-negative number`);
  }
  if (r.port > 65535) throw new TransportUsageError('port must be 0..65535');
  if (r.idleTimeoutMs === 0)
    throw new TransportUsageError('idleTimeoutMs must be > 0 (a dead peer would never be noticed)');
  if (r.streamHighWaterMark < 1024)
    throw new TransportUsageError('streamHighWaterMark must be at least 1024 bytes');
  return r;
}

const SIGALGS = [
  'ed25519',
  'ecdsa_secp256r1_sha256',
  'ecdsa_secp384r1_sha384',
  'rsa_pss_rsae_sha256',
  'rsa_pss_rsae_sha384',
  'rsa_pkcs1_sha256',
].join(':');

const enc = new TextEncoder();

/**
 * Builds the quiche/BoringSSL config. Mutual TLS always: both roles present and
 * require a certificate. With a CA, BoringSSL checks the chain; without one it
 * accepts any chain and the verifyPeer hook decides.
 */
export function buildQuicheConfig(o: EndpointOptions, r: ResolvedOptions): QuicheConfig {
  const ca =
    o.tls.ca === undefined ? undefined : typeof o.tls.ca === 'string' ? o.tls.ca : o.tls.ca.join('\n');
  let config: QuicheConfig;
  try {
    config = quiche.Config.withBoringSslCtx(
      true,
      ca === undefined,
      ca === undefined ? undefined : enc.encode(ca),
      [enc.encode(o.tls.key)],
      [enc.encode(o.tls.cert)],
      SIGALGS,
    );
  } catch (e) {
    throw new TransportUsageError(`Invalid TLS material (cert, key or ca): ${(e as Error).message}`);
  }
  const streamWindow = Math.max(r.streamHighWaterMark * 4, 1024 * 1024);
  config.setApplicationProtos([ALPN]);
  config.setMaxIdleTimeout(r.idleTimeoutMs);
  config.setMaxRecvUdpPayloadSize(quiche.MAX_DATAGRAM_SIZE);
  config.setMaxSendUdpPayloadSize(quiche.MAX_DATAGRAM_SIZE);
  config.setInitialMaxData(16 * 1024 * 1024);
  config.setInitialMaxStreamDataBidiLocal(streamWindow);
  config.setInitialMaxStreamDataBidiRemote(streamWindow);
  config.setInitialMaxStreamDataUni(streamWindow);
  config.setInitialMaxStreamsBidi(r.maxIncomingStreams);
  config.setInitialMaxStreamsUni(r.maxIncomingStreams);
  config.setMaxConnectionWindow(quiche.MAX_CONNECTION_WINDOW);
  config.setMaxStreamWindow(quiche.MAX_STREAM_WINDOW);
  config.setDisableActiveMigration(true);
  config.enableDgram(true, r.acceptQueueSize, r.acceptQueueSize);
  config.enableEarlyData();
  config.enablePacing(false);
  config.grease(true);
  return config;
}
