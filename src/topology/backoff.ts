import { InvalidArgumentError } from '../core/index.js';
import type { Random } from '../runtime/index.js';

/** Exponential backoff with jitter, for redialing a member. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  initialMs: number;
  /** Cap of the delay before jitter (jitter may take one delay up to maxMs·(1 + jitter)). */
  maxMs: number;
  /** Growth factor per consecutive failure (>= 1). */
  multiplier: number;
  /** Relative jitter in [0, 1): the delay is scaled by a uniform factor in [1 − jitter, 1 + jitter]. */
  jitter: number;
}

/** 500 ms, doubling, capped at 30 s, ±20 % jitter. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 500,
  maxMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
});

/**
 * Delay (whole ms) before retry number `attempt` (0 = the first retry after a failure):
 * min(maxMs, initialMs·multiplier^attempt), scaled by the jitter. The jitter spreads
 * redials of many nodes that lost the same peer at once.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: Random): number {
  const base = Math.min(opts.maxMs, opts.initialMs * opts.multiplier ** Math.max(0, attempt));
  const factor = 1 + opts.jitter * (2 * random.next() - 1);
  return Math.max(0, Math.round(base * factor));
}

/** @throws InvalidArgumentError when an option is out of range. */
export function checkBackoff(opts: BackoffOptions): void {
  const ok =
    Number.isFinite(opts.initialMs) &&
    opts.initialMs >= 0 &&
    Number.isFinite(opts.maxMs) &&
    opts.maxMs >= opts.initialMs &&
    Number.isFinite(opts.multiplier) &&
    opts.multiplier >= 1 &&
    opts.jitter >= 0 &&
    opts.jitter < 1;
  if (!ok) {
    throw new InvalidArgumentError(
      `Invalid backoff ${JSON.stringify(opts)}: need 0 <= initialMs <= maxMs, multiplier >= 1, 0 <= jitter < 1`,
    );
  }
}
