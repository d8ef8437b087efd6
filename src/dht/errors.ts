import { MaculaError } from '../core/index.js';

/** Why the DHT refused a record or an operation. Stable, machine-readable. */
export type DhtErrorCode =
  /** A key was not 64 lowercase hex characters, or an app key was empty / too long. */
  | 'INVALID_KEY'
  /** A record or request was malformed (wrong field type, size or range). */
  | 'INVALID_RECORD'
  /** The signature does not verify (tampered record, or signed for another realm). */
  | 'BAD_SIGNATURE'
  /** SHA-256 of the record's public key is not its owner id. */
  | 'WRONG_OWNER_KEY'
  /** The record's lifetime is over (or a tombstone older than the longest TTL). */
  | 'EXPIRED'
  /** The record was issued more than the allowed clock skew in the future. */
  | 'CLOCK_SKEW'
  /** The value is larger than `maxValueBytes`, or a message carries too many records. */
  | 'TOO_LARGE'
  /** The store already holds a newer (or conflicting same-seq) record of this owner. */
  | 'STALE'
  /** The store is full and the record's key is not closer to us than what it holds. */
  | 'STORE_FULL'
  /** This key already holds `maxRecordsPerKey` records. */
  | 'KEY_FULL'
  /** This owner already holds `maxRecordsPerOwner` records here. */
  | 'QUOTA'
  /** No node accepted a put (or remove); `cause` says why. */
  | 'PUT_FAILED'
  /**
   * A get found nothing here and none of the nodes asked answered: unknown, not "no
   * records" (a busy or partitioned holder must not read as an empty key).
   */
  | 'GET_FAILED'
  /** A peer's answer was not a well-formed reply. */
  | 'BAD_REPLY';

/** A typed DHT failure; `code` says which rule was broken. */
export class DhtError extends MaculaError {
  declare readonly code: DhtErrorCode;
  constructor(code: DhtErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Adds `n` (default 1) to `counts[key]` (stats keep rejections by code). */
export function bump(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}
