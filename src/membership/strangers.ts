import type { Clock } from '../runtime/index.js';

/**
 * Rate limits push-pulls with strangers: members whose authenticated message reaches us
 * before any rumour introduced them. Gossip reaches each member only with high
 * probability (in a small realm a join is re-sent just a few times), so a member can miss
 * one; the first message from the newcomer then fixes it in one exchange instead of at
 * the next periodic push-pull. Bounded: one try per id per `gapMs`, `maxInFlight` at once.
 */
export class Strangers {
  private readonly tried = new Map<string, number>();
  private inFlight = 0;

  constructor(
    private readonly clock: Clock,
    private readonly gapMs: number,
    private readonly maxInFlight = 2,
    private readonly maxTracked = 256,
  ) {}

  /** Whether a push-pull with `id` may start now; if so it counts as started. */
  admit(id: string): boolean {
    const now = this.clock.now();
    const last = this.tried.get(id);
    if (this.inFlight >= this.maxInFlight || (last !== undefined && now - last < this.gapMs)) return false;
    if (this.tried.size >= this.maxTracked) {
      for (const [k, at] of this.tried) if (now - at >= this.gapMs) this.tried.delete(k);
      if (this.tried.size >= this.maxTracked) return false;
    }
    this.tried.set(id, now);
    this.inFlight++;
    return true;
  }

  /** The push-pull admitted for some id ended (either way). */
  done(): void {
    this.inFlight--;
  }
}
