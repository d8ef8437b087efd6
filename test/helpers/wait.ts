import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `cond` until it holds or `timeoutMs` passes. Only for state that has no event
 * (stats counters, connection lists); everything else should await the event itself.
 */
export async function waitFor(
  cond: () => boolean,
  opts: { timeoutMs: number; intervalMs?: number; what?: string },
): Promise<void> {
  const start = performance.now();
  for (;;) {
    if (cond()) return;
    if (performance.now() - start > opts.timeoutMs) {
      throw new Error(`waitFor(${opts.what ?? 'condition'}) timed out after ${opts.timeoutMs} ms`);
    }
    await sleep(opts.intervalMs ?? 20);
  }
}

const PENDING = Symbol('pending');

/**
 * Resolves `true` when `p` is still unsettled after `ms`. A timer is legitimate here:
 * the property under test is that nothing happens. A rejection of `p` is not swallowed
 * for the caller, who must still await `p` later.
 */
export async function stillPendingAfter(p: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = p.then(
    () => 'settled' as const,
    () => 'settled' as const,
  );
  const r = await Promise.race([settled, sleep(ms, PENDING)]);
  return r === PENDING;
}

/** Rejects with a labelled error when `p` takes longer than `ms` (so hangs fail fast and say where). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const ac = new AbortController();
  const timer = sleep(ms, undefined, { signal: ac.signal }).then(
    () => {
      throw new Error(`${what}: not settled within ${ms} ms`);
    },
    () => undefined as never,
  );
  try {
    return await Promise.race([p, timer]);
  } finally {
    ac.abort();
  }
}
