// Typed access to quiche's raw API, as shipped (prebuilt) inside @matrixai/quic.
// Only this low-level binding is used; the package's high-level classes are not.

import type { Quiche } from '@matrixai/quic/native/quiche.js';
import quicheModule from '@matrixai/quic/native/quiche.js';

export type {
  Config as QuicheConfig,
  Connection as QuicheConnection,
  ConnectionError as QuicheConnectionError,
  Header as QuicheHeader,
  Host as QuicheHost,
  RecvInfo,
} from '@matrixai/quic/native/types.js';

export const quiche: Quiche = quicheModule;

/** quiche packet types (Header.ty). */
export const PacketType = {
  Initial: 0,
  Retry: 1,
  Handshake: 2,
  ZeroRTT: 3,
  VersionNegotiation: 4,
  Short: 5,
} as const;

/** Shutdown directions for streamShutdown. */
export const Shutdown = { Read: 0, Write: 1 } as const;

/** Parses quiche's `StreamReset(code)` / `StreamStopped(code)` errors; null when not that kind. */
export function streamErrorCode(e: unknown, kind: 'StreamReset' | 'StreamStopped'): number | null {
  const msg = e instanceof Error ? e.message : String(e);
  if (!msg.startsWith(kind)) return null;
  const m = /\((\d+)\)/.exec(msg);
  return m ? Number(m[1]) : 0;
}

/** True when quiche reported a crypto (TLS alert) error code. */
export function isCryptoError(code: number): boolean {
  return code >= quiche.CRYPTO_ERROR_START && code <= quiche.CRYPTO_ERROR_STOP;
}
