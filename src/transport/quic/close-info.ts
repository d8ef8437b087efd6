// How a QUIC connection's end is reported: the CloseInfo (and its typed error) for each
// way it can end, as pure functions of quiche's state. No side effects here: the
// connection applies the result (counts failed handshakes, settles its promises).

import { ConnectionClosedError, TLS_ALERT, TlsError, TransportError } from '../errors.js';
import type { CloseInfo } from '../types.js';
import { isCryptoError, type QuicheConnection, quiche } from './native.js';

const dec = new TextDecoder();

export interface QuicheClose {
  info: CloseInfo;
  /** The end counts as a failed handshake in the endpoint's stats. */
  handshakeFailed: boolean;
}

/**
 * quiche is closing or closed (a CONNECTION_CLOSE went either way, or it timed out):
 * why, as the connection reports it. `wasOpen`: the connection had become usable.
 */
export function quicheCloseInfo(conn: QuicheConnection, wasOpen: boolean): QuicheClose {
  const peer = conn.peerError();
  const local = conn.localError();
  if (conn.isTimedOut()) {
    const err = new ConnectionClosedError('Connection idle timeout (peer unreachable)');
    const tooEarly = !wasOpen;
    return {
      info: { kind: 'idle', code: 0, reason: 'idle timeout', error: tooEarly ? err : undefined },
      handshakeFailed: tooEarly,
    };
  }
  const e = peer ?? local;
  if (!e) return { info: { kind: 'error', code: 0, reason: 'connection closed' }, handshakeFailed: false };
  const reason = dec.decode(e.reason);
  if (!e.isApp && isCryptoError(e.errorCode)) {
    const side = peer ? 'remote' : 'local';
    const alert = e.errorCode - quiche.CRYPTO_ERROR_START;
    const who = side === 'remote' ? 'Peer refused our certificate' : 'Peer certificate refused';
    const error = new TlsError(`${who} (TLS alert ${alert}${reason ? `: ${reason}` : ''})`, side, alert);
    return { info: { kind: 'error', code: e.errorCode, reason, error }, handshakeFailed: side === 'local' };
  }
  if (peer?.isApp) return { info: { kind: 'remote', code: peer.errorCode, reason }, handshakeFailed: false };
  const error = new TransportError(
    'QUIC_ERROR',
    `QUIC ${peer ? 'peer' : 'local'} error ${e.errorCode}: ${reason}`,
  );
  return {
    info: { kind: peer ? 'remote' : 'error', code: e.errorCode, reason, error },
    handshakeFailed: false,
  };
}

/** We refused the peer's certificate: the verify hook threw or rejected with `cause`. */
export function refusedInfo(cause: unknown): CloseInfo {
  const alert = TLS_ALERT.badCertificate;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new TlsError(`Peer certificate refused: ${reason}`, 'local', alert, { cause });
  return { kind: 'error', code: quiche.CRYPTO_ERROR_START + alert, reason, error };
}

/** Dial timed out or was aborted before the connection became usable. */
export function abandonedInfo(err: Error): CloseInfo {
  return {
    kind: 'error',
    code: 0,
    reason: err.message,
    error: new TransportError('DIAL_ABANDONED', err.message, { cause: err }),
  };
}

/** The error every pending stream, accept and datagram read fails with once the connection ended. */
export function closedError(info: CloseInfo): ConnectionClosedError {
  return new ConnectionClosedError(
    `Connection closed (${info.kind}, code ${info.code}${info.reason ? `: ${info.reason}` : ''})`,
    info.code,
    { cause: info.error },
  );
}
