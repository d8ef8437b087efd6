import { dropOldest, type Random } from '../runtime/index.js';

/** How a caller picks among several providers. */
export type Balance = 'round-robin' | 'random' | 'lowest-rtt';

/**
 * Orders the providers of one call: the first is tried first, the rest are fallbacks.
 * Round-robin keeps a cursor per procedure (bounded by the number of procedures called).
 */
export class Balancer {
  private readonly cursors = new Map<string, number>();

  constructor(
    private readonly random: Random,
    private readonly rttOf: (id: string) => number | undefined,
    private readonly maxCursors = 4096,
  ) {}

  order(name: string, providers: readonly string[], how: Balance): readonly string[] {
    const n = providers.length;
    if (n <= 1) return providers;
    let first: number;
    if (how === 'random') first = this.random.int(n);
    else if (how === 'lowest-rtt') return this.byRtt(providers);
    else {
      first = (this.cursors.get(name) ?? -1) + 1;
      first %= n;
      this.cursors.delete(name); // re-insert: most recently used last
      this.cursors.set(name, first);
      dropOldest(this.cursors, this.maxCursors);
    }
    if (first === 0) return providers;
    return [...providers.slice(first), ...providers.slice(0, first)];
  }

  /** Measured RTT first (lowest first); unmeasured providers after, in their given order. */
  private byRtt(providers: readonly string[]): string[] {
    const inf = Number.POSITIVE_INFINITY;
    return providers
      .map((id, i) => ({ id, i, rtt: this.rttOf(id) ?? inf }))
      .sort((a, b) => a.rtt - b.rtt || a.i - b.i)
      .map((p) => p.id);
  }
}
