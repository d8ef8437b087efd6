import { InvalidArgumentError } from '../core/index.js';
import type { Random } from '../runtime/index.js';

/** Exponential backoff between bootstrap attempts. */
export interface BackoffOptions {
  /** Delay after the first failure, in ms (default 500). */
  initialMs: number;
  /** Cap of the delay before jitter, in ms (default 10 000). */
  maxMs: number;
  /** Growth per failure (default 2). */
  multiplier: number;
  /** Relative spread: each delay is scaled by a uniform factor in [1 - jitter, 1 + jitter] (default 0.2). */
  jitter: number;
}

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 500,
  maxMs: 10_000,
  multiplier: 2,
  jitter: 0.2,
});

/**
 * Fills defaults and checks ranges.
 * @throws InvalidArgumentError for a non-finite or out-of-range value.
 */
export function backoffOptions(partial: Partial<BackoffOptions> = {}): BackoffOptions {
  const b = { ...DEFAULT_BACKOFF, ...partial };
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
      `Invalid backoff ${JSON.stringify(b)}: need 0 < initialMs <= maxMs (finite), multiplier >= 1, 0 <= jitter < 1`,
    );
  }
  return b;
}

/**
 * The delay before the next attempt after `failures` consecutive failures (1 = the first):
 * `min(maxMs, initialMs * multiplier^(failures-1))`, scaled by the jitter factor, in whole ms.
 * Jitter spreads nodes that started together so they do not retry in lockstep.
 */
export function backoffDelay(failures: number, b: BackoffOptions, random: Random): number {
  const base = Math.min(b.maxMs, b.initialMs * b.multiplier ** Math.max(0, failures - 1));
  return Math.round(base * (1 + b.jitter * (2 * random.next() - 1)));
}
