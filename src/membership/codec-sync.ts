/**
 * Push-pull state as `[1, join, entries]`. Unsigned: it travels on a QUIC stream whose
 * peer TLS has already authenticated, inside a protocol frame (which bounds its size).
 */
import { MembershipWireError, malformed } from './codec-error.js';
import { entryToWire, readEntry } from './codec-update.js';
import { packBody, readTuple, unpackBody } from './codec-wire.js';
import type { SyncEntry, SyncState } from './types.js';

/** Version of the sync state layout (first array element). */
const SYNC_VERSION = 1;
/** Default cap on the entries of one decoded state. */
export const DEFAULT_MAX_SYNC_ENTRIES = 200_000;

/** Encodes a push-pull state; throws {@link MembershipWireError} (MALFORMED) on invalid entries. */
export function encodeSync(state: SyncState): Uint8Array {
  if (typeof state !== 'object' || state === null || !Array.isArray(state.entries)) {
    throw malformed('sync state: entries is not an array');
  }
  if (typeof state.join !== 'boolean') throw malformed('sync state: join is not a boolean');
  const body = packBody([SYNC_VERSION, state.join, state.entries.map(entryToWire)]);
  return Uint8Array.from(body); // own the bytes: body is a view into msgpackr's slab
}

/**
 * Decodes a push-pull state, strictly. Throws {@link MembershipWireError}: BAD_VERSION,
 * TOO_LARGE (more than `maxEntries`, default 200,000) or MALFORMED. Entry keys are not
 * checked against entry ids: the caller must (see `checkAliveKey` in auth.ts).
 */
export function decodeSync(bytes: Uint8Array, opts?: { maxEntries?: number }): SyncState {
  const max = opts?.maxEntries ?? DEFAULT_MAX_SYNC_ENTRIES;
  if (!(bytes instanceof Uint8Array)) throw malformed('sync state: not bytes');
  const [version, join, entries] = readTuple(unpackBody(bytes, 0, bytes.length), 3, 3, 'sync state');
  if (version !== SYNC_VERSION) {
    throw new MembershipWireError('BAD_VERSION', `unknown sync state version ${String(version)}`);
  }
  if (typeof join !== 'boolean') throw malformed('sync state: join is not a boolean');
  if (!Array.isArray(entries)) throw malformed('sync state: entries is not an array');
  if (entries.length > max) {
    throw new MembershipWireError('TOO_LARGE', `sync state has ${entries.length} entries, limit ${max}`);
  }
  const out: SyncEntry[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) out[i] = readEntry(entries[i]);
  return { entries: out, join };
}
