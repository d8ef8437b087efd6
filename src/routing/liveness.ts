import { setMaxListeners } from 'node:events';
import { type Clock, raceAbort, withDeadline } from '../runtime/index.js';
import { ID_BITS } from './id.js';
import type { Contact, PingFn } from './types.js';

/**
 * Runs the liveness checks of full buckets: each ping is bounded by a timeout, a
 * rejection counts as "no answer", and `close()` cancels them all.
 */
export class Liveness {
  private readonly checks = new Set<Promise<void>>();
  private readonly closing = new AbortController();

  constructor(
    private readonly clock: Clock,
    private readonly ping: PingFn,
    private readonly timeoutMs: number,
  ) {
    setMaxListeners(ID_BITS + 8, this.closing.signal); // one running check per bucket at most
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /** Pings `peer`, then calls `done(alive)` unless closed meanwhile. */
  check(peer: Contact, done: (alive: boolean) => void): void {
    const p = this.pingOnce({ id: peer.id, address: peer.address }).then((alive) => {
      if (!this.closed) done(alive);
    });
    this.checks.add(p);
    const forget = () => this.checks.delete(p);
    p.then(forget, forget);
  }

  async idle(): Promise<void> {
    while (this.checks.size > 0) await Promise.allSettled(this.checks);
  }

  close(): void {
    this.closing.abort();
  }

  private async pingOnce(peer: Contact): Promise<boolean> {
    const opts = { signal: this.closing.signal, timeoutMs: this.timeoutMs };
    try {
      const alive = await withDeadline(this.clock, opts, 'liveness check', (signal) =>
        raceAbort(this.ping(peer, { signal }), signal),
      );
      return alive === true;
    } catch {
      return false;
    }
  }
}
