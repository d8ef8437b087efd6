/**
 * The DHT's wire shapes: records as fixed 8-element arrays (ids and keys as 32-byte
 * binaries), and the STORE / FIND_VALUE payloads around them. Decoders take what a peer
 * sent (already MessagePack-decoded, so untrusted and of any type), check every field's
 * type and size, copy what they keep, and throw nothing but {@link DhtError}.
 */

import { isHex64 } from './crypto.js';
import { DhtError, type DhtErrorCode } from './errors.js';
import { KEY_BYTES, SIG_BYTES, shapeProblem } from './record.js';
import { DEFAULT_DHT_LIMITS, type DhtRecord, type StoreReply, type WireRecord } from './types.js';

const ID_BYTES = 32;
const RESULT_CODES = new Set<string>([
  'OK',
  'INVALID_KEY',
  'INVALID_RECORD',
  'BAD_SIGNATURE',
  'WRONG_OWNER_KEY',
  'EXPIRED',
  'CLOCK_SKEW',
  'TOO_LARGE',
  'STALE',
  'STORE_FULL',
  'KEY_FULL',
  'QUOTA',
] satisfies ('OK' | DhtErrorCode)[]);

function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function bytesToHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The wire form of a record (a fresh array; byte fields are shared, not copied). */
export function encodeRecord(r: DhtRecord): WireRecord {
  return [hexToBytes(r.key), hexToBytes(r.owner), r.ownerKey, r.value, r.seq, r.issuedAt, r.ttlMs, r.sig];
}

function bytesField(v: unknown, what: string, n?: number): Uint8Array {
  if (!(v instanceof Uint8Array) || (n !== undefined && v.length !== n)) {
    throw new DhtError('INVALID_RECORD', `record ${what} must be ${n === undefined ? '' : `${n} `}bytes`);
  }
  return Uint8Array.from(v); // own the bytes: a view would pin the whole received frame
}

/**
 * A record from its wire form. Checks types and sizes only (not the signature: see
 * `verifyRecord`). Throws DhtError INVALID_RECORD / INVALID_KEY / TOO_LARGE.
 */
export function decodeRecord(raw: unknown, maxValueBytes = DEFAULT_DHT_LIMITS.maxValueBytes): DhtRecord {
  try {
    if (!Array.isArray(raw) || raw.length !== 8) {
      throw new DhtError('INVALID_RECORD', 'a record is an array of 8 fields');
    }
    const value = raw[3];
    if (value instanceof Uint8Array && value.length > maxValueBytes) {
      throw new DhtError('TOO_LARGE', `record value is over ${maxValueBytes} bytes`);
    }
    const r: DhtRecord = {
      key: bytesToHex(bytesField(raw[0], 'key', ID_BYTES)),
      owner: bytesToHex(bytesField(raw[1], 'owner', ID_BYTES)),
      ownerKey: bytesField(raw[2], 'ownerKey', KEY_BYTES),
      value: bytesField(value, 'value'),
      seq: raw[4] as number,
      issuedAt: raw[5] as number,
      ttlMs: raw[6] as number,
      sig: bytesField(raw[7], 'sig', SIG_BYTES),
    };
    const problem = shapeProblem(r, maxValueBytes);
    if (problem) throw new DhtError(problem[0], `bad record: ${problem[1]}`);
    return r;
  } catch (err) {
    throw asDhtError(err, 'INVALID_RECORD');
  }
}

/** `err` when it is a DhtError, else one with `code` wrapping it (decoders never leak other errors). */
function asDhtError(err: unknown, code: DhtErrorCode): DhtError {
  if (err instanceof DhtError) return err;
  return new DhtError(code, 'malformed input', { cause: err });
}

/** The payload of a DHT_STORE request. */
export function storeRequest(records: WireRecord[]): { records: WireRecord[] } {
  return { records };
}

/** The payload of a DHT_FIND_VALUE request. */
export function findValueRequest(key: string): { key: string } {
  return { key };
}

/**
 * The records of a STORE request, still in wire form (each is decoded on its own so one
 * bad record gets its own answer). Throws DhtError INVALID_RECORD / TOO_LARGE.
 */
export function decodeStoreRequest(payload: unknown, maxRecords: number): unknown[] {
  try {
    const records = (payload as { records?: unknown } | null)?.records;
    if (typeof payload !== 'object' || !Array.isArray(records)) {
      throw new DhtError('INVALID_RECORD', 'a STORE request is { records: [...] }');
    }
    if (records.length > maxRecords) {
      throw new DhtError('TOO_LARGE', `a STORE request carries at most ${maxRecords} records`);
    }
    return records;
  } catch (err) {
    throw asDhtError(err, 'INVALID_RECORD');
  }
}

/** The key of a FIND_VALUE request. Throws DhtError INVALID_KEY. */
export function decodeFindValueRequest(payload: unknown): string {
  try {
    const key = (payload as { key?: unknown } | null)?.key;
    if (typeof payload !== 'object' || !isHex64(key)) {
      throw new DhtError('INVALID_KEY', 'a FIND_VALUE request is { key: <64 lowercase hex> }');
    }
    return key;
  } catch (err) {
    throw asDhtError(err, 'INVALID_KEY');
  }
}

/** A peer's STORE answer for `n` records. Throws DhtError BAD_REPLY. */
export function decodeStoreReply(raw: unknown, n: number): StoreReply {
  try {
    const results = (raw as { results?: unknown } | null)?.results;
    if (typeof raw !== 'object' || !Array.isArray(results) || results.length !== n) {
      throw new DhtError('BAD_REPLY', `a STORE answer is { results: [${n} codes] }`);
    }
    for (const c of results) {
      if (typeof c !== 'string' || !RESULT_CODES.has(c))
        throw new DhtError('BAD_REPLY', 'unknown STORE result');
    }
    return { results: [...results] as StoreReply['results'] };
  } catch (err) {
    throw asDhtError(err, 'BAD_REPLY');
  }
}

/**
 * A peer's FIND_VALUE answer: its records still in wire form (the caller decodes and
 * verifies each; beyond `maxRecords` they are left out and `truncated` is set) and its
 * contacts, unchecked (see `acceptContacts`). Throws DhtError BAD_REPLY.
 */
export function decodeFindValueReply(
  raw: unknown,
  maxRecords: number,
): { records: unknown[]; contacts: unknown; truncated: boolean } {
  try {
    const { records, contacts } = (raw ?? {}) as { records?: unknown; contacts?: unknown };
    if (typeof raw !== 'object' || !Array.isArray(records)) {
      throw new DhtError('BAD_REPLY', 'a FIND_VALUE answer is { records: [...], contacts: [...] }');
    }
    const truncated = records.length > maxRecords;
    return { records: truncated ? records.slice(0, maxRecords) : records, contacts, truncated };
  } catch (err) {
    throw asDhtError(err, 'BAD_REPLY');
  }
}
