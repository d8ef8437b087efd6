import { decodeFindValueRequest, decodeRecord, decodeStoreRequest, encodeRecord } from './codec.js';
import type { DhtContext } from './context.js';
import type { DhtErrorCode } from './errors.js';
import { bump, DhtError } from './errors.js';
import { isTombstone } from './record.js';
import { type FindValueReply, RECORD_OVERHEAD_BYTES, type StoreReply, type WireRecord } from './types.js';

function countAndRethrow(cx: DhtContext, err: unknown): never {
  if (err instanceof DhtError) bump(cx.counters.dropped, err.code);
  throw err;
}

/**
 * Serves a STORE: every record is decoded, verified and offered to the store on its own;
 * the answer gives each one's result in order. A malformed request throws DhtError.
 */
export function serveStore(
  cx: DhtContext,
  fromId: string,
  payload: unknown,
  stored?: (key: string) => void,
): StoreReply {
  cx.counters.served.store++;
  let raws: unknown[];
  try {
    raws = decodeStoreRequest(payload, cx.limits.maxRecordsPerMessage);
  } catch (err) {
    return countAndRethrow(cx, err);
  }
  const results = raws.map((raw): 'OK' | DhtErrorCode => {
    try {
      const record = decodeRecord(raw, cx.limits.maxValueBytes);
      const code = cx.store.put(record);
      if (code === 'OK') stored?.(record.key);
      return code;
    } catch (err) {
      const code = (err as DhtError).code;
      bump(cx.counters.dropped, code);
      return code;
    }
  });
  if (results.some((c) => c !== 'OK')) {
    cx.logger?.debug({ from: fromId, results }, 'DHT STORE: records refused');
  }
  return { results };
}

/**
 * Serves a FIND_VALUE: the live records and tombstones under the key (live first, within
 * `maxReplyBytes` and `maxRecordsPerKey`), and the k contacts closest to it, the asker left out.
 */
export function serveFindValue(cx: DhtContext, fromId: string, payload: unknown): FindValueReply {
  cx.counters.served.findValue++;
  let key: string;
  try {
    key = decodeFindValueRequest(payload);
  } catch (err) {
    return countAndRethrow(cx, err);
  }
  const all = cx.store.replicable(key);
  all.sort((a, b) => Number(isTombstone(a)) - Number(isTombstone(b)));
  const records: WireRecord[] = [];
  let bytes = 0;
  for (const r of all) {
    bytes += r.value.length + RECORD_OVERHEAD_BYTES;
    if (records.length >= cx.limits.maxRecordsPerKey || bytes > cx.tunables.maxReplyBytes) break;
    records.push(encodeRecord(r));
  }
  const contacts = cx.table
    .closest(key, cx.table.k + 1)
    .filter((c) => c.id !== fromId)
    .slice(0, cx.table.k)
    .map((c) => ({ id: c.id, address: { host: c.address.host, port: c.address.port } }));
  return { records, contacts };
}
