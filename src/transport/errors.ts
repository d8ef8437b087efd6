import { MaculaError } from '../core/index.js';

/** Any transport failure. Codes: see each subclass. */
export class TransportError extends MaculaError {}

/** The connection is closed; `info` says how. */
export class ConnectionClosedError extends TransportError {
  constructor(
    message: string,
    readonly closeCode = 0,
    options?: { cause?: unknown },
  ) {
    super('CONNECTION_CLOSED', message, options);
  }
}

/** The endpoint was closed. */
export class EndpointClosedError extends TransportError {
  constructor(message = 'Endpoint is closed') {
    super('ENDPOINT_CLOSED', message);
  }
}

/**
 * The TLS handshake refused a certificate. `side` says who refused: `local` (our check
 * of the peer's certificate) or `remote` (the peer refused ours).
 */
export class TlsError extends TransportError {
  constructor(
    message: string,
    readonly side: 'local' | 'remote',
    readonly alert: number,
    options?: { cause?: unknown },
  ) {
    super('TLS_REJECTED', message, options);
  }
}

/** The peer (or we) reset the stream with an application code. */
export class StreamResetError extends TransportError {
  constructor(
    readonly resetCode: number,
    message = `Stream reset with code ${resetCode}`,
  ) {
    super('STREAM_RESET', message);
  }
}

/** A call was made with bad arguments (too-large datagram, write after end, …). */
export class TransportUsageError extends TransportError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** The TLS alert (RFC 8446 §6) QUIC carries as transport error 0x100 + alert when a certificate is refused. */
export const TLS_ALERT = {
  badCertificate: 42,
  certificateExpired: 45,
  certificateUnknown: 46,
  unknownCa: 48,
  accessDenied: 49,
} as const;
