import { MaculaError } from '../core/index.js';

/** Why an identity or a peer's certificate was refused. */
export type IdentityErrorCode =
  /** The certificate is for another realm. */
  | 'WRONG_REALM'
  /** The node id in the certificate is not the hash of its public key (a forged name). */
  | 'NODE_ID_MISMATCH'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  /** Unparseable certificate, or not exactly one `macula://` node URI in its SAN. */
  | 'BAD_CERTIFICATE'
  /** Identity files are missing, unreadable or unparseable. */
  | 'BAD_IDENTITY_FILES'
  /** The private key does not belong to the certificate. */
  | 'KEY_CERT_MISMATCH'
  /** The certificate does not chain to the realm CA. */
  | 'UNTRUSTED_CA';

/** A node identity (certificate, key, CA) is invalid, or a peer's certificate was refused. */
export class IdentityError extends MaculaError {
  declare readonly code: IdentityErrorCode;
  constructor(code: IdentityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
