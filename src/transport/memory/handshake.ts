import { TLS_ALERT } from '../errors.js';
import type { Address, TlsOptions } from '../types.js';
import type { ChainVerifier } from './chain-cache.js';

/** Why a peer's certificate was refused, as the TLS alert QUIC would carry. */
export interface Refusal {
  alert: number;
  reason: string;
  cause?: unknown;
}

function alertFor(reason: string): number {
  if (reason === 'unknown CA') return TLS_ALERT.unknownCa;
  // OpenSSL reports "not yet valid" with the certificate_expired alert too.
  if (reason.includes('expired') || reason.includes('not yet valid')) return TLS_ALERT.certificateExpired;
  return TLS_ALERT.badCertificate;
}

/**
 * What TLS would check of the peer's chain: issued by one of `ca` (when set) and
 * currently valid, then the application's `verifyPeer` hook. Null when the peer is
 * accepted. Synchronous unless a `verifyPeer` hook has to be awaited; never throws
 * or rejects.
 */
export function checkPeer(
  tls: TlsOptions,
  ca: readonly string[] | undefined,
  verifier: ChainVerifier,
  chain: readonly Uint8Array[],
  remoteAddress: Address,
  role: 'client' | 'server',
): Refusal | null | Promise<Refusal | null> {
  if (chain.length === 0) return { alert: TLS_ALERT.badCertificate, reason: 'no certificate' };
  if (ca) {
    let reason: string | null;
    try {
      reason = verifier.verify(chain, ca);
    } catch (cause) {
      return { alert: TLS_ALERT.badCertificate, reason: 'unparseable certificate', cause };
    }
    if (reason !== null) return { alert: alertFor(reason), reason };
  }
  const hook = tls.verifyPeer;
  if (!hook) return null;
  const refused = (cause: unknown): Refusal => {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return { alert: TLS_ALERT.badCertificate, reason: `verifyPeer refused: ${reason}`, cause };
  };
  try {
    return Promise.resolve(hook({ certificates: chain, remoteAddress, role })).then(() => null, refused);
  } catch (cause) {
    return refused(cause);
  }
}

/** Normalises TlsOptions.ca to a list (undefined when unset; an empty list trusts nothing). */
export function caList(tls: TlsOptions): readonly string[] | undefined {
  if (tls.ca === undefined) return undefined;
  return typeof tls.ca === 'string' ? [tls.ca] : tls.ca;
}
