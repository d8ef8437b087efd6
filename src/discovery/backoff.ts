import type { BackoffOptions } from '../runtime/index.js';

/** Bootstrap attempts: 500 ms, doubling, capped at 10 s, ±20 % jitter. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 500,
  maxMs: 10_000,
  multiplier: 2,
  jitter: 0.2,
});
