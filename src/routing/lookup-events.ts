import { AbortError } from '../core/index.js';
import { type AbortOptions, AsyncQueue } from '../runtime/index.js';
import type { LookupEvent } from './types.js';

/** Starts a lookup with the given signal and event sink. */
type StartLookup = (signal: AbortSignal, emit: (e: LookupEvent) => void) => Promise<unknown>;

/**
 * A lookup's events as an async stream: the lookup starts on the first read, its error
 * (if any) is thrown after the events before it, and a reader that stops early cancels
 * it. The queue is bounded by the lookup itself (at most ~3 events per query).
 */
export async function* eventStream(start: StartLookup, opts: AbortOptions): AsyncGenerator<LookupEvent> {
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  const q = new AsyncQueue<LookupEvent>();
  const finished = start(stop.signal, (e) => q.push(e)).then(
    () => q.close(),
    (err: unknown) => q.close(err),
  );
  try {
    for (;;) {
      const r = await q.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    stop.abort(new AbortError('lookup events no longer read'));
    await finished;
  }
}
