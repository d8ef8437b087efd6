import { type Clock, dropOldest } from '../runtime/index.js';

interface Entry {
  providers: string[];
  expiresAt: number;
}

/**
 * Provider lists per procedure, fetched from the DHT and kept for `ttlMs`. A provider
 * declared dead or gone is removed from every list at once; the cache holds at most
 * `max` procedures (least recently fetched dropped first).
 */
export class ProviderCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 5000,
    private readonly max = 1024,
  ) {}

  get(name: string): string[] | undefined {
    const e = this.entries.get(name);
    if (!e) return undefined;
    if (this.clock.now() >= e.expiresAt) {
      this.entries.delete(name);
      return undefined;
    }
    return e.providers;
  }

  /**
   * The list even when expired (`expired: true`), for callers that use it while one
   * refresh runs; expired lists stay until replaced, invalidated or evicted.
   */
  peek(name: string): { providers: string[]; expired: boolean } | undefined {
    const e = this.entries.get(name);
    return e && { providers: e.providers, expired: this.clock.now() >= e.expiresAt };
  }

  set(name: string, providers: string[]): void {
    this.entries.delete(name);
    this.entries.set(name, { providers, expiresAt: this.clock.now() + this.ttlMs });
    dropOldest(this.entries, this.max);
  }

  /** Forgets one procedure's list (e.g. its provider said it no longer has it). */
  invalidate(name: string): void {
    this.entries.delete(name);
  }

  /** A node went away: it is no longer anyone's provider. */
  dropNode(id: string): void {
    for (const [name, e] of this.entries) {
      if (!e.providers.includes(id)) continue;
      const rest = e.providers.filter((p) => p !== id);
      if (rest.length === 0) this.entries.delete(name);
      else e.providers = rest;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
