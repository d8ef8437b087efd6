import { AbortError, TimeoutError } from '../core/index.js';
import type { Clock } from './clock.js';

/** Options every async operation accepts. */
export interface AbortOptions {
  /** Cancels the operation. */
  signal?: AbortSignal;
  /** Gives up after this many milliseconds (measured on the component's clock). */
  timeoutMs?: number;
}

/** Throws the typed error matching why `signal` was aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw toAbortError(signal.reason);
}

/** Maps an abort reason to a typed {@link AbortError} / {@link TimeoutError}. */
export function toAbortError(reason: unknown): Error {
  if (reason instanceof AbortError || reason instanceof TimeoutError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError')
    return new TimeoutError(reason.message, { cause: reason });
  return new AbortError(undefined, { cause: reason });
}

/**
 * A signal that fires when `opts.signal` aborts or `opts.timeoutMs` passes on `clock`.
 * Call `dispose()` when the operation ends so the timer and listener are released.
 */
export function deadline(
  clock: Clock,
  opts: AbortOptions | undefined,
  what = 'operation',
): { signal: AbortSignal | undefined; dispose: () => void } {
  const parent = opts?.signal;
  const ms = opts?.timeoutMs;
  if (ms === undefined) return { signal: parent, dispose: noop };
  const ctl = new AbortController();
  const timer = clock.setTimeout(() => ctl.abort(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
  const onAbort = () => ctl.abort(parent?.reason);
  if (parent?.aborted) ctl.abort(parent.reason);
  else parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ctl.signal,
    dispose: () => {
      clock.clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Settles with `promise`, or rejects with a typed abort error as soon as `signal` fires.
 * `onAbort` runs first so the caller can undo whatever the promise was waiting on.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort?: () => void,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    onAbort?.();
    promise.catch(noop);
    return Promise.reject(toAbortError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(toAbortError(signal.reason));
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}

function noop(): void {}

/**
 * Runs `op` under `opts` (signal and/or timeoutMs on `clock`); the deadline's timer is
 * always released. The op receives the combined signal.
 */
export async function withDeadline<T>(
  clock: Clock,
  opts: AbortOptions | undefined,
  what: string,
  op: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (opts?.timeoutMs === undefined) return op(opts?.signal);
  const { signal, dispose } = deadline(clock, opts, what);
  try {
    return await op(signal);
  } finally {
    dispose();
  }
}
