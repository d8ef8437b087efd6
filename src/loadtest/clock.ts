import type { Clock } from '../runtime/index.js';

/**
 * The load test's clock: `process.hrtime` is the system's monotonic clock, shared by every
 * process on the machine, so a stamp taken in one worker can be compared in another
 * (performance.now() counts from each process's own start). Timers are ref'd: a load test
 * in progress keeps the process alive.
 */
export const loadClock: Clock = {
  now: () => Number(process.hrtime.bigint()) / 1e6,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Resolves after `ms` on `clock`, or at once when `signal` fires (never rejects). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
