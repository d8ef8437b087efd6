import { Packr } from 'msgpackr/pack';
import { checkAliveKey } from '../membership/index.js';
import { isHex64, type RecordSigner, verifySignature } from './crypto.js';
import { DhtError, type DhtErrorCode } from './errors.js';
import { DEFAULT_DHT_LIMITS, type DhtLimits, type DhtRecord } from './types.js';

/** Bytes of a raw Ed25519 public key and of a signature. */
export const KEY_BYTES = 32;
export const SIG_BYTES = 64;

// Plain MessagePack (no records, no structured clone): the signed bytes must be exactly
// what any peer re-derives from the same field values.
const packr = new Packr({ useRecords: false, structuredClone: false });

/**
 * The bytes an owner signs: MessagePack of `[realm, key, owner, value, seq, issuedAt,
 * ttlMs]` (strings as str, value as bin, integers below 2^32 in their shortest form,
 * larger ones as float64, as msgpackr writes them). The realm is signed but never sent,
 * so a record cannot be replayed into another realm.
 */
export function signedBytes(
  realm: string,
  r: Pick<DhtRecord, 'key' | 'owner' | 'value' | 'seq' | 'issuedAt' | 'ttlMs'>,
): Uint8Array {
  return packr.pack([realm, r.key, r.owner, r.value, r.seq, r.issuedAt, r.ttlMs]);
}

/** The fields an owner chooses; `signRecord` adds owner, key material and signature. */
export interface RecordFields {
  key: string;
  value: Uint8Array;
  seq: number;
  issuedAt: number;
  ttlMs: number;
}

/** A record owned by `signer`'s node, signed for `realm`. Throws DhtError on malformed fields. */
export function signRecord(signer: RecordSigner, realm: string, f: RecordFields): DhtRecord {
  const unsigned = {
    key: f.key,
    owner: signer.owner,
    ownerKey: Uint8Array.from(signer.publicKey),
    value: Uint8Array.from(f.value),
    seq: f.seq,
    issuedAt: f.issuedAt,
    ttlMs: f.ttlMs,
  };
  const problem = shapeProblem({ ...unsigned, sig: new Uint8Array(SIG_BYTES) }, Number.POSITIVE_INFINITY);
  if (problem) throw new DhtError(problem[0], `Cannot sign record: ${problem[1]}`);
  return { ...unsigned, sig: signer.sign(signedBytes(realm, unsigned)) };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isBytes(v: unknown, n?: number): v is Uint8Array {
  return v instanceof Uint8Array && (n === undefined || v.length === n);
}

/** The field rule `r` breaks, as [code, message], or undefined. */
export function shapeProblem(r: DhtRecord, maxValueBytes: number): [DhtErrorCode, string] | undefined {
  if (typeof r !== 'object' || r === null) return ['INVALID_RECORD', 'a record is an object'];
  if (!isHex64(r.key)) return ['INVALID_KEY', 'key must be 64 lowercase hex characters'];
  if (!isHex64(r.owner)) return ['INVALID_RECORD', 'owner must be 64 lowercase hex characters'];
  if (!isBytes(r.ownerKey, KEY_BYTES)) return ['INVALID_RECORD', `ownerKey must be ${KEY_BYTES} bytes`];
  if (!isBytes(r.sig, SIG_BYTES)) return ['INVALID_RECORD', `sig must be ${SIG_BYTES} bytes`];
  if (!isBytes(r.value)) return ['INVALID_RECORD', 'value must be bytes'];
  if (!isCount(r.seq) || !isCount(r.issuedAt) || !isCount(r.ttlMs)) {
    return ['INVALID_RECORD', 'seq, issuedAt and ttlMs must be non-negative safe integers'];
  }
  if (r.ttlMs === 0 && r.value.length > 0) return ['INVALID_RECORD', 'a tombstone has an empty value'];
  if (r.value.length > maxValueBytes) return ['TOO_LARGE', `value is over ${maxValueBytes} bytes`];
  return undefined;
}

/** True for a tombstone (ttlMs 0): it deletes its owner's record under its key. */
export function isTombstone(r: DhtRecord): boolean {
  return r.ttlMs === 0;
}

/**
 * When a record stops counting, on the storer's wall clock: `issuedAt + min(ttlMs,
 * maxTtlMs)`. A tombstone stays meaningful for `maxTtlMs` (no record it deletes can
 * outlive that).
 */
export function expiresAt(r: DhtRecord, maxTtlMs: number): number {
  return r.issuedAt + (r.ttlMs === 0 ? maxTtlMs : Math.min(r.ttlMs, maxTtlMs));
}

/** Limits {@link verifyRecord} applies. */
export type VerifyLimits = Pick<DhtLimits, 'maxValueBytes' | 'maxTtlMs' | 'maxSkewMs'>;

/**
 * Why `record` must not be believed in `realm` at wall-clock time `now`, or undefined
 * when it is valid: malformed, too large, issued too far in the future, expired, a key
 * that is not the owner's, or a signature that does not verify (cheap checks first).
 * Never throws.
 */
export function verifyRecord(
  record: DhtRecord,
  realm: string,
  now: number,
  limits: Partial<VerifyLimits> = {},
): DhtErrorCode | undefined {
  const l = { ...DEFAULT_DHT_LIMITS, ...limits };
  const shape = shapeProblem(record, l.maxValueBytes);
  if (shape) return shape[0];
  if (record.issuedAt > now + l.maxSkewMs) return 'CLOCK_SKEW';
  if (expiresAt(record, l.maxTtlMs) <= now) return 'EXPIRED';
  if (!checkAliveKey(record.owner, record.ownerKey)) return 'WRONG_OWNER_KEY';
  if (!verifySignature(record.ownerKey, signedBytes(realm, record), record.sig)) return 'BAD_SIGNATURE';
  return undefined;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** True when `a` and `b` are the same signed record (every signed field and the signature). */
export function sameRecord(a: DhtRecord, b: DhtRecord): boolean {
  return (
    a.key === b.key &&
    a.owner === b.owner &&
    a.seq === b.seq &&
    a.issuedAt === b.issuedAt &&
    a.ttlMs === b.ttlMs &&
    equalBytes(a.sig, b.sig) &&
    equalBytes(a.value, b.value) &&
    equalBytes(a.ownerKey, b.ownerKey)
  );
}
