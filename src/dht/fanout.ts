import { setMaxListeners } from 'node:events';

/**
 * A child signal for `n` parallel requests: it follows `parent` through one listener, and
 * has room for the `n` request listeners (Node warns past 10 on one signal). Call
 * `dispose()` when the requests are done.
 */
export function fanoutSignal(
  parent: AbortSignal | undefined,
  n: number,
): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  setMaxListeners(n + 8, ctl.signal);
  const onAbort = () => ctl.abort(parent?.reason);
  if (parent?.aborted) ctl.abort(parent.reason);
  else parent?.addEventListener('abort', onAbort, { once: true });
  return { signal: ctl.signal, dispose: () => parent?.removeEventListener('abort', onAbort) };
}
