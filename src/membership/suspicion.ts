import type { Clock, TimerHandle } from '../runtime/index.js';

/**
 * Lifeguard's suspicion timer: it starts at `maxMs` and shrinks towards `minMs` as
 * independent members confirm the suspicion, logarithmically in the number of
 * confirmations (k confirmations reach the minimum). A real failure is confirmed fast
 * by many probers; a false one (one slow link) usually is not, which leaves time to refute.
 */
export class Suspicion {
  /** The first accuser, then up to k confirmers (an array: k is small, a Set would cost more). */
  private readonly confirmedBy: string[] = [];
  private readonly start: number;
  private timer: TimerHandle | undefined;

  constructor(
    from: string,
    private readonly k: number,
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly clock: Clock,
    private readonly onTimeout: () => void,
  ) {
    this.start = clock.now();
    this.confirmedBy.push(from);
    this.schedule();
  }

  /** Confirmations so far (the first accuser excluded). */
  get confirmations(): number {
    return this.confirmedBy.length - 1;
  }

  /** Counts `from` once; returns true when it was a new confirmation (then worth re-gossiping). */
  confirm(from: string): boolean {
    if (this.confirmations >= this.k || this.confirmedBy.includes(from)) return false;
    this.confirmedBy.push(from);
    this.schedule();
    return true;
  }

  /** The timeout given the current confirmations. */
  timeoutMs(): number {
    const n = this.confirmations;
    if (this.k < 1) return this.minMs;
    const frac = Math.log(n + 1) / Math.log(this.k + 1);
    return Math.max(this.minMs, Math.floor(this.maxMs - frac * (this.maxMs - this.minMs)));
  }

  /** Re-arms the timer to fire `ms` from now (a last check before the verdict). */
  extend(ms: number): void {
    this.cancel();
    this.timer = this.clock.setTimeout(this.fire, ms);
  }

  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.cancel();
    const remaining = this.start + this.timeoutMs() - this.clock.now();
    this.timer = this.clock.setTimeout(this.fire, Math.max(0, remaining));
  }

  /** One callback for every (re)schedule: thousands of suspicions at once stay cheap. */
  private readonly fire = (): void => {
    this.timer = undefined;
    this.onTimeout();
  };
}
