import { type Contact, compareDistance, idKey, RoutingError } from '../routing/index.js';
import type { DhtContext } from './context.js';
import { DhtError, type DhtErrorCode } from './errors.js';
import { fanoutSignal } from './fanout.js';
import { pushRecords } from './requests.js';
import type { DhtRecord } from './types.js';

/** The `replicas` nodes responsible for a key, as a lookup found them. */
export interface ReplicaSet {
  /** Closest answering peers (self excluded), at most `replicas` (one less when self is in). */
  peers: Contact[];
  /** True when this node is itself among the `replicas` closest. */
  self: boolean;
  /** Messages the lookup cost. */
  messages: number;
  /** Peers were known but none answered the lookup (the set is unknown, not just us). */
  unanswered: boolean;
}

/** Looks up the nodes responsible for `key`. A lookup that reaches nobody leaves this node alone in charge. */
export async function replicaSet(
  cx: DhtContext,
  key: string,
  signal: AbortSignal | undefined,
): Promise<ReplicaSet> {
  let closest: Contact[] = [];
  let messages = 0;
  let unanswered = false;
  try {
    const r = await cx.lookup.lookup(key, { signal, k: cx.replicas });
    closest = r.closest;
    messages = r.messages;
  } catch (err) {
    if (!(err instanceof RoutingError && err.code === 'LOOKUP_FAILED')) throw err;
    // Alone (nobody to ask) the replica set is just us; knowing peers, it is unknown.
    unanswered = cx.table.size > 0;
  }
  const t = idKey(key);
  const last = closest[cx.replicas - 1];
  const self = !last || compareDistance(idKey(cx.selfId), idKey(last.id), t) < 0;
  return { peers: closest.slice(0, self ? cx.replicas - 1 : cx.replicas), self, messages, unanswered };
}

/** How a replication went. */
export interface ReplicateOutcome {
  /** Nodes (self included) that accepted every record. */
  stored: number;
  /** Why the others did not: DhtErrors with the rejection code, network errors. */
  errors: unknown[];
}

/**
 * Stores `records` (all under `key`) on the `replicas` nodes closest to it: this node
 * when it is one of them (`local`), and the others in parallel, each in STORE batches.
 */
export async function replicate(
  cx: DhtContext,
  key: string,
  records: readonly DhtRecord[],
  signal: AbortSignal | undefined,
  local = true,
): Promise<ReplicateOutcome> {
  const set = await replicaSet(cx, key, signal);
  const errors: unknown[] = [];
  let stored = 0;
  if (set.self && local) {
    const codes = records.map((r) => cx.store.put(r));
    const bad = codes.find((c) => c !== 'OK');
    if (bad) errors.push(new DhtError(bad, `this node refused the record: ${bad}`));
    else stored++;
  }
  const fan = fanoutSignal(signal, set.peers.length);
  const pushes = await Promise.allSettled(set.peers.map((p) => pushRecords(cx, p, records, fan.signal)));
  fan.dispose();
  for (const [i, p] of pushes.entries()) {
    if (p.status === 'rejected') {
      errors.push(p.reason);
      continue;
    }
    const bad = p.value.find((c) => c !== 'OK') as DhtErrorCode | undefined;
    if (bad) errors.push(new DhtError(bad, `${set.peers[i]!.id.slice(0, 8)} refused the record: ${bad}`));
    else stored++;
  }
  return { stored, errors };
}
