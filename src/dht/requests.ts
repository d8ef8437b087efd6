import { acceptContacts, type Contact } from '../routing/index.js';
import { withDeadline } from '../runtime/index.js';
import { decodeFindValueReply, decodeRecord, decodeStoreReply, encodeRecord } from './codec.js';
import type { DhtContext } from './context.js';
import { bump, DhtError, type DhtErrorCode } from './errors.js';
import { verifyRecord } from './record.js';
import type { DhtRecord } from './types.js';

/** Runs one request to `to` under the per-request deadline; failures are counted and reported to the table. */
async function request<T>(
  cx: DhtContext,
  to: Contact,
  what: string,
  signal: AbortSignal | undefined,
  op: (signal: AbortSignal | undefined) => Promise<unknown>,
  decode: (raw: unknown) => T,
): Promise<T> {
  try {
    const raw = await withDeadline(cx.clock, { signal, timeoutMs: cx.tunables.requestTimeoutMs }, what, op);
    return decode(raw);
  } catch (err) {
    cx.counters.sent.failed++;
    if (err instanceof DhtError) bump(cx.counters.dropped, err.code);
    // Our own cancellation says nothing about the peer.
    if (!signal?.aborted) cx.table.recordFailure(to.id);
    throw err;
  }
}

/**
 * Sends `records` to `to` in STORE requests of at most `maxRecordsPerMessage`, one after
 * the other; resolves with every record's result code, in order.
 */
export async function pushRecords(
  cx: DhtContext,
  to: Contact,
  records: readonly DhtRecord[],
  signal: AbortSignal | undefined,
): Promise<('OK' | DhtErrorCode)[]> {
  const out: ('OK' | DhtErrorCode)[] = [];
  const per = Math.max(1, cx.limits.maxRecordsPerMessage);
  for (let i = 0; i < records.length; i += per) {
    const wire = records.slice(i, i + per).map(encodeRecord);
    cx.counters.sent.store++;
    const reply = await request(
      cx,
      to,
      'DHT STORE',
      signal,
      (s) => cx.net.store(to, wire, { signal: s }),
      (raw) => decodeStoreReply(raw, wire.length),
    );
    out.push(...reply.results);
  }
  return out;
}

/** What one FIND_VALUE brought back, every record verified. */
export interface FoundValue {
  records: DhtRecord[];
  contacts: Contact[];
}

/**
 * Asks `to` for the records under `key`. Each record is decoded and verified; bad ones
 * (and ones for another key) are dropped and counted. `known` gives records already
 * verified (same owner, seq and signature are not verified twice).
 */
export async function findValue(
  cx: DhtContext,
  to: Contact,
  key: string,
  known: (r: DhtRecord) => boolean,
  signal: AbortSignal | undefined,
): Promise<FoundValue> {
  cx.counters.sent.findValue++;
  const maxRecords = cx.limits.maxRecordsPerKey; // what a FIND_VALUE answer may carry (serveFindValue caps it too)
  const reply = await request(
    cx,
    to,
    'DHT FIND_VALUE',
    signal,
    (s) => cx.net.findValue(to, key, { signal: s }),
    (raw) => decodeFindValueReply(raw, maxRecords),
  );
  if (reply.truncated) bump(cx.counters.dropped, 'TOO_LARGE');
  const now = cx.wallClock();
  const records: DhtRecord[] = [];
  for (const raw of reply.records) {
    let r: DhtRecord;
    try {
      r = decodeRecord(raw, cx.limits.maxValueBytes);
    } catch (err) {
      bump(cx.counters.dropped, (err as DhtError).code);
      continue;
    }
    const bad =
      r.key !== key ? 'INVALID_KEY' : known(r) ? undefined : verifyRecord(r, cx.realm, now, cx.limits);
    if (bad) bump(cx.counters.dropped, bad);
    else records.push(r);
  }
  const contacts = acceptContacts(reply.contacts, cx.selfId, cx.table.k, cx.counters.dropped);
  return { records, contacts };
}
