import { AbortError } from '../core/index.js';
import { backoffDelay } from '../runtime/index.js';
import { DesiredLinks } from './desired.js';
import { planConnections } from './eviction.js';
import { type ConnectionManagerOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { KeyedTimers, Rerunner, settle } from './scheduling.js';
import type { LinkRole, TopologyMember, TopologySnapshot } from './types.js';

const RANK: Record<LinkRole, number> = { extra: 0, 'long-range': 1, ring: 2 };
/** An extra connection carrying messages: kept before unused extras, after desired links. */
const IN_USE_RANK = 0.5;

/**
 * Keeps this node connected to its desired peers (k ring neighbours + long-range links)
 * among the alive members. Dials what is missing (one dial per member at a time), redials
 * with backoff, closes outbound connections nobody wants after a grace period and never
 * holds more than `maxConnections`. Notifications never throw; every rejection is logged.
 */
export class ConnectionManager {
  private readonly o: ResolvedOptions;
  private readonly want: DesiredLinks;
  private readonly dials = new Map<string, AbortController>();
  private readonly retries: KeyedTimers;
  /** Consecutive failures per member; cleared on success. */
  private readonly failures = new Map<string, number>();
  /** When each connection was first seen, for oldest-first eviction. */
  private readonly since = new Map<string, number>();
  /** Outbound connections nobody wants, closed when their timer fires. */
  private readonly graces: KeyedTimers;
  /** Connections whose disconnect failed, retried when their timer fires. */
  private readonly cooldowns: KeyedTimers;
  /** Connections we are closing: not counted, not redialed. */
  private readonly closing = new Set<string>();
  private stopped = false;
  /** PeerLinks may call back synchronously (disconnect → peerDisconnected): no nested passes. */
  private readonly reconciler = new Rerunner(() => this.reconcile());

  /** @throws InvalidArgumentError on an invalid id, k, bound or backoff. */
  constructor(opts: ConnectionManagerOptions) {
    this.o = resolveOptions(opts);
    this.want = new DesiredLinks(this.o.self, this.o.k, this.o.longRange, this.o.logger);
    this.retries = new KeyedTimers(opts.clock);
    this.graces = new KeyedTimers(opts.clock);
    this.cooldowns = new KeyedTimers(opts.clock);
  }

  /** Replaces the set of alive members (self may be included) and rewires. */
  setMembers(members: ReadonlyArray<TopologyMember>): void {
    this.guard('setMembers', () => this.want.update(members));
  }

  /** Forward the node's `peer:connected` here. */
  peerConnected(id: string): void {
    this.guard('peerConnected', () => {
      if (!this.since.has(id)) this.since.set(id, this.o.clock.now());
      this.closing.delete(id); // a new connection, not the one we were closing
      this.succeeded(id);
    });
  }

  /** Forward the node's `peer:disconnected` here. */
  peerDisconnected(id: string): void {
    this.guard('peerDisconnected', () => {
      const ours = this.closing.delete(id);
      this.since.delete(id);
      this.graces.cancel(id);
      if (!ours && this.want.has(id) && !this.dials.has(id) && !this.retries.has(id)) this.retryLater(id);
    });
  }

  /** Desired peers: ring neighbours (nearest first), then long-range links. */
  desired(): string[] {
    return [...this.want.list()];
  }

  /** Cancels every timer and aborts pending dials. Existing connections stay open (the node owns them). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const ac of this.dials.values()) ac.abort(new AbortError('topology stopped'));
    this.dials.clear();
    this.retries.clear();
    this.graces.clear();
    this.cooldowns.clear();
  }

  /** The current state, for `topology()` and {@link renderTopology}. */
  snapshot(): TopologySnapshot {
    return {
      self: this.o.self,
      k: this.o.k,
      maxConnections: this.o.maxConnections,
      desired: this.desired(),
      connections: this.o.links.connected().map((c) => ({
        id: c.id,
        direction: c.direction,
        rttMs: c.rttMs,
        role: this.want.role(c.id),
      })),
      pendingDials: [...this.dials.keys()],
      backoffs: this.retries.keys().map((id) => ({
        id,
        attempt: this.failures.get(id) ?? 0,
        nextAttemptInMs: this.retries.remainingMs(id),
      })),
    };
  }

  /** Runs a notification: never throws, no-op after stop, then brings connections in line. */
  private guard(what: string, fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
      this.reconciler.run();
    } catch (err) {
      this.o.logger.warn({ err, what }, 'topology: unexpected error');
    }
  }

  private reconcile(): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    const conns = this.o.links.connected().filter((c) => !this.closing.has(c.id));
    const connected = new Set(conns.map((c) => c.id));
    for (const c of conns) if (!this.since.has(c.id)) this.since.set(c.id, now);
    for (const id of this.since.keys()) if (!connected.has(id)) this.since.delete(id);
    // Members no longer desired (or no longer alive): stop chasing them.
    for (const id of this.retries.keys()) if (!this.want.has(id)) this.retries.cancel(id);
    for (const id of this.failures.keys()) if (!this.want.has(id)) this.failures.delete(id);
    for (const [id, ac] of this.dials) {
      if (this.want.has(id)) continue;
      ac.abort(new AbortError('member no longer desired'));
      this.dials.delete(id);
    }
    // Only connections we dialed are pruned: inbound ones were chosen by the other side.
    for (const c of conns) {
      if (c.direction === 'outbound' && !this.want.has(c.id)) this.startGrace(c.id);
      else this.graces.cancel(c.id);
    }
    for (const id of this.graces.keys()) if (!connected.has(id)) this.graces.cancel(id);
    const idle = new Map(conns.map((c) => [c.id, c.idleMs]));
    const inUse = (id: string) => {
      const ms = idle.get(id);
      return ms !== undefined && ms <= this.o.inUseMs;
    };
    const rank = (id: string) => {
      const r = RANK[this.want.role(id)];
      return r === 0 && inUse(id) ? IN_USE_RANK : r;
    };
    const plan = planConnections({
      conns,
      wanted: this.want
        .list()
        .filter(
          (id) => !connected.has(id) && !this.closing.has(id) && !this.dials.has(id) && !this.retries.has(id),
        ),
      pendingDials: this.dials.size,
      maxConnections: this.o.maxConnections,
      rank,
      // In-use extras go least recently used first; the others oldest first.
      since: (id) => (rank(id) === IN_USE_RANK ? now - idle.get(id)! : (this.since.get(id) ?? now)),
    });
    for (const c of plan.close) this.close(c.id, c.reason);
    for (const id of plan.dial) this.dial(id);
  }

  private dial(id: string): void {
    const address = this.want.address(id);
    // Re-checked here: a callback during this reconcile may have changed things since the plan.
    if (!address || this.dials.has(id) || this.closing.has(id) || this.retries.has(id) || !this.want.has(id))
      return;
    if (this.o.links.connected().some((c) => c.id === id)) return;
    const ac = new AbortController();
    this.dials.set(id, ac);
    this.o.logger.debug({ peer: id.slice(0, 8), address }, 'topology: dialing');
    settle(
      () => this.o.links.connect(id, address, { signal: ac.signal, timeoutMs: this.o.dialTimeoutMs }),
      () => this.dialSettled(id, ac, undefined),
      (err) => this.dialSettled(id, ac, err),
    );
  }

  private dialSettled(id: string, ac: AbortController, err: unknown): void {
    if (this.dials.get(id) !== ac) return; // cancelled on purpose
    this.dials.delete(id);
    this.guard('dial', () => {
      // A rejected dial can still leave us connected: the node kept the peer's simultaneous dial.
      if (err === undefined || this.o.links.connected().some((c) => c.id === id)) return this.succeeded(id);
      this.o.logger.debug({ peer: id.slice(0, 8), err }, 'topology: dial failed');
      if (this.want.has(id)) this.retryLater(id);
    });
  }

  private succeeded(id: string): void {
    this.failures.delete(id);
    this.retries.cancel(id);
  }

  private retryLater(id: string): void {
    const attempt = this.failures.get(id) ?? 0;
    this.failures.set(id, attempt + 1);
    this.retries.start(id, backoffDelay(attempt, this.o.backoff, this.o.random), () =>
      this.guard('retry', () => {}),
    );
  }

  private startGrace(id: string): void {
    // reconcile() restarts the grace if the connection became wanted and unwanted again meanwhile.
    this.graces.start(id, this.o.pruneGraceMs, () =>
      this.guard('prune', () => {
        const c = this.o.links.connected().find((x) => x.id === id);
        if (c?.direction !== 'outbound' || this.want.has(id) || this.closing.has(id)) return;
        // Still carrying messages: look again after another grace period.
        if (c.idleMs !== undefined && c.idleMs <= this.o.inUseMs) this.startGrace(id);
        else this.close(id, 'not desired');
      }),
    );
  }

  private close(id: string, reason: string): void {
    this.closing.add(id);
    this.graces.cancel(id);
    this.o.logger.info({ peer: id.slice(0, 8), reason }, 'topology: closing connection');
    settle(
      () => this.o.links.disconnect(id, reason),
      () => this.guard('disconnected', () => this.closing.delete(id)),
      (err) =>
        this.guard('disconnect failed', () => {
          this.o.logger.warn({ peer: id.slice(0, 8), err }, 'topology: disconnect failed');
          // Wait before trying again, so a disconnect that keeps failing cannot spin.
          this.cooldowns.start(id, this.o.backoff.initialMs, () =>
            this.guard('disconnect retry', () => this.closing.delete(id)),
          );
        }),
    );
  }
}
