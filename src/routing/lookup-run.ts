import { setMaxListeners } from 'node:events';
import { type Clock, raceAbort, throwIfAborted } from '../runtime/index.js';
import { acceptContacts } from './contacts.js';
import { RoutingError } from './errors.js';
import { idKey } from './id.js';
import type { RttTracker } from './rtt.js';
import { type Candidate, Shortlist } from './shortlist.js';
import type { Contact, LookupEvent, LookupResult, RoutingNet } from './types.js';

/**
 * Cancels the queries still out when a lookup ends. One shared instance: a new error per
 * lookup cost a stack capture (~25 µs) even when no query was left to cancel.
 */
const LOOKUP_ENDED = new RoutingError('LOOKUP_FAILED', 'lookup finished');

/** Everything one lookup run reads or reports to. */
export interface LookupContext {
  selfId: string;
  k: number;
  alpha: number;
  maxQueries: number;
  net: RoutingNet;
  clock: Clock;
  rtt: RttTracker;
  /** Shared counters: queries sent and timeouts, whether or not the lookup succeeds. */
  counters: { queries: number; timeouts: number };
  /** Bad contacts in peers' answers, by reason. */
  rejected: Record<string, number>;
  /** Where the lookup starts: our k closest known peers. */
  initial: Contact[];
  /** A peer answered (feeds the table: traffic keeps it fresh). */
  onResponse(peer: Contact, rttMs: number): void;
  /** A peer failed or never answered. */
  onFailure(peer: Contact): void;
  emit?: (e: LookupEvent) => void;
}

/**
 * Iterative FIND_NODE: keeps `alpha` queries in flight to the closest peers not yet
 * asked, merging what they name, until the k closest peers that did not fail have all
 * answered. A query that outlives its peer's adaptive timeout frees its slot at once but
 * still counts if it answers before the lookup ends; its request is cancelled only then.
 */
export async function runLookup(
  cx: LookupContext,
  target: string,
  signal: AbortSignal | undefined,
): Promise<LookupResult> {
  const { clock, net, rtt, k } = cx;
  const start = clock.now();
  const list = new Shortlist(idKey(target), k, 4 * k);
  for (const c of cx.initial) list.add(c, 0);
  const ended = new AbortController();
  setMaxListeners(cx.maxQueries + 8, ended.signal); // every request in flight listens to it
  const onParentAbort = () => ended.abort(signal?.reason);
  signal?.addEventListener('abort', onParentAbort, { once: true });
  const launched: Candidate[] = [];
  let inflight = 0;
  let messages = 0;
  let timeouts = 0;
  let finished = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const ev = (e: LookupEvent) => cx.emit?.(e);

  const launch = (c: Candidate) => {
    c.state = 'pending';
    launched.push(c);
    inflight++;
    messages++;
    cx.counters.queries++;
    const sent = clock.now();
    const timeoutMs = rtt.timeoutFor(c.id);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      inflight--;
      notify();
    };
    ev({ type: 'query', peer: c.contact, hop: c.hop, timeoutMs, at: sent });
    const timer = clock.setTimeout(() => {
      if (c.state !== 'pending') return;
      c.state = 'failed';
      timeouts++;
      cx.counters.timeouts++;
      ev({ type: 'timeout', peer: c.contact, hop: c.hop, timeoutMs, at: clock.now() });
      release();
    }, timeoutMs);
    let reply: Promise<Contact[]>;
    try {
      reply = net.findNode(c.contact, target, { signal: ended.signal });
    } catch (err) {
      reply = Promise.reject(err);
    }
    reply.then(
      (raw) => {
        clock.clearTimeout(timer);
        if (finished) return;
        const rttMs = clock.now() - sent;
        messages++;
        rtt.sample(c.id, rttMs);
        c.state = 'answered';
        cx.onResponse(c.contact, rttMs);
        const found = acceptContacts(raw, cx.selfId, k, cx.rejected);
        for (const f of found) list.add(f, c.hop + 1);
        ev({ type: 'response', peer: c.contact, hop: c.hop, rttMs, contacts: found.length, at: clock.now() });
        release();
      },
      (err: unknown) => {
        clock.clearTimeout(timer);
        if (finished) return;
        if (c.state === 'pending') {
          c.state = 'failed';
          const error = err instanceof Error ? err : new Error(String(err));
          ev({ type: 'failure', peer: c.contact, hop: c.hop, error, at: clock.now() });
        }
        release();
      },
    );
  };

  try {
    for (;;) {
      throwIfAborted(signal);
      while (inflight < cx.alpha && launched.length < cx.maxQueries) {
        const c = list.next();
        if (!c) break;
        launch(c);
      }
      if (inflight === 0 || list.done()) break;
      await raceAbort(
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
        signal,
      );
    }
  } finally {
    finished = true;
    signal?.removeEventListener('abort', onParentAbort);
    ended.abort(LOOKUP_ENDED);
    for (const c of launched) if (c.state === 'failed') cx.onFailure(c.contact);
  }

  const best = list.answered();
  if (best.length === 0) {
    const why = launched.length === 0 ? 'no known peer to ask' : `none of ${launched.length} peers answered`;
    throw new RoutingError('LOOKUP_FAILED', `Lookup of ${target.slice(0, 8)} failed: ${why}`);
  }
  const result: LookupResult = {
    target,
    closest: best.map((c) => c.contact),
    queried: launched.length,
    messages,
    hops: best[0]!.hop + 1,
    rounds: Math.max(...launched.filter((c) => c.state === 'answered').map((c) => c.hop + 1)),
    timeouts,
    durationMs: clock.now() - start,
  };
  ev({ type: 'done', result, at: clock.now() });
  return result;
}
