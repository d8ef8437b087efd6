/**
 * Direct connections for messaging: a node we publish to or call, but reach only through
 * routes, is dialled in the background, so its next messages take one link instead of a
 * request and a reply per hop. At most `maxConnections - 16` connections in use by
 * messages; beyond that, messages stay on routes. The topology keeps such connections
 * while they carry messages (`inUseMs`) and evicts them least recently used first, after
 * the connections that carry none.
 */
import { MaculaError } from '../core/index.js';
import { type Clock, dropOldest } from '../runtime/index.js';
import { DEFAULT_IN_USE_MS } from '../topology/index.js';
import type { RoutingHost, RoutingService } from './routing.js';
import type { NodeLogger } from './types.js';

/** Dials in flight at once. */
const MAX_DIALS = 4;
/** Deadline of one dial (ms). */
const DIAL_TIMEOUT_MS = 5_000;
/** After a failed dial, the node is reached through routes for this long (ms). */
const RETRY_AFTER_MS = 30_000;
/** Failed nodes remembered (oldest forgotten first). */
const MAX_FAILED = 1024;
/** Connections left for the topology's own links (ring, long-range). */
const RESERVED = 16;
/** With the budget spent, how long before counting connections again (ms). */
const FULL_RECHECK_MS = 1_000;

export interface DirectDialerOptions {
  clock: Clock;
  logger: NodeLogger;
  /** The node's connection bound (topology `maxConnections`). */
  maxConnections: number;
  /** Ms since messages last crossed the connection to `id` (undefined: none did). */
  idleMs: (id: string) => number | undefined;
}

export class DirectDialer {
  private readonly dialing = new Set<string>();
  private readonly failedUntil = new Map<string, number>();
  private fullUntil = 0;
  private readonly stopping = new AbortController();
  private readonly budget: number;

  constructor(
    private readonly host: RoutingHost,
    private readonly routing: RoutingService,
    private readonly o: DirectDialerOptions,
  ) {
    this.budget = Math.max(0, o.maxConnections - RESERVED);
  }

  /** Messages for `id` went through routes: dial it if the budget allows (never throws). */
  want(id: string): void {
    if (this.dialing.has(id) || this.dialing.size >= MAX_DIALS || this.stopping.signal.aborted) return;
    const now = this.o.clock.now();
    if (now < this.fullUntil) return;
    const until = this.failedUntil.get(id);
    if (until !== undefined) {
      if (now < until) return;
      this.failedUntil.delete(id);
    }
    const m = this.host.member(id);
    if (id === this.host.selfId || !m?.alive || this.host.connection(id)) return;
    // Connections that carry no messages (lookups' dials, say) do not count: over the
    // bound, the topology evicts those first.
    let n = 0;
    for (const c of this.host.connectedIds()) {
      const idle = this.o.idleMs(c);
      if (idle !== undefined && idle <= DEFAULT_IN_USE_MS) n++;
    }
    if (n + this.dialing.size >= this.budget) {
      this.fullUntil = now + FULL_RECHECK_MS;
      return;
    }
    this.dialing.add(id);
    this.routing
      .connectTo({ id, address: m.address }, { timeoutMs: DIAL_TIMEOUT_MS, signal: this.stopping.signal })
      .then(
        () => {},
        (err: unknown) => {
          this.failedUntil.set(id, this.o.clock.now() + RETRY_AFTER_MS);
          dropOldest(this.failedUntil, MAX_FAILED);
          this.o.logger.debug({ err, peer: id.slice(0, 8) }, 'direct dial failed: staying on routes');
        },
      )
      .finally(() => this.dialing.delete(id));
  }

  stop(): void {
    this.stopping.abort(new MaculaError('NOT_RUNNING', 'Node stopped'));
  }
}
