import type { BackoffOptions } from '../runtime/index.js';

/** Redials of a member: 500 ms, doubling, capped at 30 s, ±20 % jitter. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 500,
  maxMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
});
