import { InvalidArgumentError } from '../core/index.js';
import type { Random } from './random.js';

/** Exponential backoff with jitter (redials, bootstrap attempts, retries). */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter (ms). */
  initialMs: number;
  /** Cap of the delay before jitter (jitter may take one delay up to maxMs·(1 + jitter)). */
  maxMs: number;
  /** Growth factor per consecutive failure (>= 1). */
  multiplier: number;
  /** Relative jitter in [0, 1): the delay is scaled by a uniform factor in [1 − jitter, 1 + jitter]. */
  jitter: number;
}

/**
 * Delay (whole ms) before retry number `attempt` (0 = the first retry after a failure):
 * min(maxMs, initialMs·multiplier^attempt), scaled by the jitter, which spreads nodes
 * that failed together so they do not retry in lockstep.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: Random): number {
  const base = Math.min(opts.maxMs, opts.initialMs * opts.multiplier ** Math.max(0, attempt));
  const factor = 1 + opts.jitter * (2 * random.next() - 1);
  return Math.max(0, Math.round(base * factor));
}

/** Fills `partial` from `defaults` and checks the ranges. @throws InvalidArgumentError */
export function backoffOptions(
  partial: Partial<BackoffOptions> | undefined,
  defaults: BackoffOptions,
): BackoffOptions {
  const b = { ...defaults, ...partial };
  const ok =
    Number.isFinite(b.initialMs) &&
    b.initialMs > 0 &&
    Number.isFinite(b.maxMs) &&
    b.maxMs >= b.initialMs &&
    Number.isFinite(b.multiplier) &&
    b.multiplier >= 1 &&
    b.jitter >= 0 &&
    b.jitter < 1;
  if (!ok) {
    throw new InvalidArgumentError(
      `Invalid backoff ${JSON.stringify(b)}: need 0 < initialMs <= maxMs (finite; 0 would retry in a hot loop), multiplier >= 1, 0 <= jitter < 1`,
    );
  }
  return b;
}
