import type { Contact } from '../routing/index.js';
import { throwIfAborted } from '../runtime/index.js';
import type { DhtContext } from './context.js';
import { DhtError } from './errors.js';
import { fanoutSignal } from './fanout.js';
import { isTombstone, sameRecord } from './record.js';
import { replicaSet } from './replicate.js';
import { findValue } from './requests.js';
import type { DhtRecord } from './types.js';

/** Newest record per owner (a tombstone counts: it hides older records of its owner). */
class Merge {
  readonly byOwner = new Map<string, DhtRecord>();

  add(r: DhtRecord): void {
    const cur = this.byOwner.get(r.owner);
    if (!cur || r.seq > cur.seq) this.byOwner.set(r.owner, r);
  }

  /** True when `r` is exactly a record already merged (verified then: no need to verify again). */
  has(r: DhtRecord): boolean {
    const cur = this.byOwner.get(r.owner);
    return cur !== undefined && sameRecord(cur, r);
  }

  live(now: number, maxTtlMs: number): DhtRecord[] {
    return [...this.byOwner.values()]
      .filter((r) => !isTombstone(r) && r.issuedAt + Math.min(r.ttlMs, maxTtlMs) > now)
      .sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
  }
}

/**
 * The records under `key`: ours, merged with what the closest nodes hold. A lookup finds
 * the nodes responsible for the key, then FIND_VALUE goes to the closest of them,
 * `getFanout` at a time, until `getFanout` answered (or every one was tried). Every
 * record from a peer is verified; the newest per owner wins; tombstones and expired
 * records are left out. One record per owner, ordered by owner id.
 * @throws DhtError `GET_FAILED` when nothing is held here and no peer asked answered.
 */
export async function getRecords(
  cx: DhtContext,
  key: string,
  signal: AbortSignal | undefined,
): Promise<DhtRecord[]> {
  const merged = new Merge();
  for (const r of cx.store.replicable(key)) merged.add(r);
  const { peers, unanswered } = await replicaSet(cx, key, signal);
  const want = Math.max(1, cx.tunables.getFanout);
  const fan = fanoutSignal(signal, want);
  let answered = 0;
  let inflight = 0;
  let next = 0;
  let lastError: unknown;
  const ask = async (p: Contact): Promise<void> => {
    try {
      const found = await findValue(cx, p, key, (r) => merged.has(r), fan.signal);
      for (const r of found.records) merged.add(r);
      answered++;
    } catch (err) {
      lastError = err;
      cx.logger?.debug({ err, peer: p.id }, 'DHT FIND_VALUE failed');
    }
  };
  // `want` workers, each taking the next closest peer while answers (and pending ones) fall short.
  const worker = async (): Promise<void> => {
    while (answered + inflight < want && next < peers.length && !fan.signal.aborted) {
      inflight++;
      await ask(peers[next++]!);
      inflight--;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(want, peers.length) }, worker));
  } finally {
    fan.dispose();
  }
  throwIfAborted(signal);
  if (answered === 0 && (peers.length > 0 || unanswered) && merged.byOwner.size === 0)
    throw new DhtError('GET_FAILED', 'None of the nodes asked answered', { cause: lastError });
  return merged.live(cx.wallClock(), cx.limits.maxTtlMs);
}
