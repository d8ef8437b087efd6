import { AbortError, TimeoutError } from '../core/index.js';
import type { LogSink } from '../logging/index.js';
import { type AbortOptions, type Clock, type Random, systemRandom, withDeadline } from '../runtime/index.js';
import { bump, RoutingError } from './errors.js';
import { checkId, isNodeIdHex } from './id.js';
import { eventStream } from './lookup-events.js';
import { type LookupContext, runLookup } from './lookup-run.js';
import { RttTracker } from './rtt.js';
import type { RoutingTable } from './table.js';
import { positiveInt } from './table-options.js';
import type { Contact, LookupEvent, LookupResult, LookupStats, RoutingNet } from './types.js';

/** Lookup tunables (Kademlia's α and k, plus safety bounds). */
export interface LookupTunables {
  /** Queries in flight at once. */
  alpha: number;
  /** Most peers one lookup may query (bounds its cost whatever peers answer). */
  maxQueries: number;
  /** Default deadline of a whole lookup (ms). */
  lookupTimeoutMs: number;
  /** A bucket with no lookup into its range for this long is refreshed (ms). */
  refreshIntervalMs: number;
}

export const DEFAULT_LOOKUP_TUNABLES: LookupTunables = {
  alpha: 3,
  maxQueries: 200,
  lookupTimeoutMs: 30_000,
  refreshIntervalMs: 60 * 60_000,
};

/** Options of a {@link LookupService}. */
export interface LookupServiceOptions {
  table: RoutingTable;
  net: RoutingNet;
  clock: Clock;
  /** For refresh targets. Default: node:crypto. */
  random?: Random;
  tunables?: Partial<LookupTunables>;
  /** Per-peer RTT estimates; share one between services of one node. */
  rtt?: RttTracker;
  /** A peer failed a query. Default: `table.recordFailure(peer.id)`. */
  onPeerFailed?: (peer: Contact) => void;
  logger?: LogSink;
}

/** Per-lookup options: cancellation, a deadline, and how many closest peers to find (default k). */
export interface LookupOptions extends AbortOptions {
  k?: number;
}

/**
 * Kademlia node lookups over one {@link RoutingTable}. Transport-agnostic: queries go
 * through the injected {@link RoutingNet}. Peers that answer are fed to the table;
 * peers that fail are reported (by default to the table, which drops them).
 */
export class LookupService {
  readonly tunables: LookupTunables;
  readonly rtt: RttTracker;
  readonly stats: LookupStats = {
    lookups: 0,
    succeeded: 0,
    failed: 0,
    aborted: 0,
    queries: 0,
    timeouts: 0,
    rejected: {},
  };
  private readonly random: Random;
  private readonly onPeerFailed: (peer: Contact) => void;

  constructor(private readonly o: LookupServiceOptions) {
    this.tunables = { ...DEFAULT_LOOKUP_TUNABLES, ...o.tunables };
    this.rtt = o.rtt ?? new RttTracker();
    this.random = o.random ?? systemRandom;
    this.onPeerFailed = o.onPeerFailed ?? ((p) => o.table.recordFailure(p.id));
  }

  /** Finds the (up to) k peers closest to `target` that answer. Rejects with `RoutingError` on bad input or when nobody answers. */
  lookup(target: string, opts: LookupOptions = {}): Promise<LookupResult> {
    try {
      this.validate(target);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.run(target, opts, undefined);
  }

  /**
   * The same lookup as a stream of progress events ending with `done` (for tooling).
   * Throws at once on a malformed target; breaking out of the loop cancels the lookup.
   */
  lookupEvents(target: string, opts: LookupOptions = {}): AsyncIterable<LookupEvent> {
    this.validate(target);
    return {
      [Symbol.asyncIterator]: () =>
        eventStream((signal, emit) => this.run(target, { ...opts, signal }, emit), opts),
    };
  }

  /**
   * Joins the network as Kademlia does: learns `seeds`, looks up our own id (so the
   * peers around us learn of us), then, with `refresh`, looks up a random id in every
   * bucket farther than our closest neighbour's to fill the far buckets.
   */
  async join(seeds: Contact[], opts: AbortOptions & { refresh?: boolean } = {}): Promise<LookupResult> {
    for (const s of seeds) this.o.table.observe(s);
    const r = await this.lookup(this.o.table.selfId, opts);
    const nearest = r.closest[0];
    if (opts.refresh && nearest) {
      const b = this.o.table.bucketOf(nearest.id);
      for (let i = 0; i < b; i++) await this.refreshBucket(i, opts);
    }
    return r;
  }

  /** Refreshes every bucket no lookup touched for `refreshIntervalMs`; resolves with how many. */
  async refresh(opts: AbortOptions = {}): Promise<number> {
    const due = this.o.table.bucketsNeedingRefresh(this.o.clock.now(), this.tunables.refreshIntervalMs);
    for (const i of due) await this.refreshBucket(i, opts);
    return due.length;
  }

  private async refreshBucket(i: number, opts: AbortOptions): Promise<void> {
    try {
      await this.lookup(this.o.table.refreshTarget(i, this.random), opts);
    } catch (err) {
      if (!(err instanceof RoutingError)) throw err;
      this.o.logger?.debug({ err, bucket: i }, 'bucket refresh found nobody');
    }
  }

  private validate(target: string): void {
    if (isNodeIdHex(target)) return;
    this.stats.lookups++;
    this.stats.failed++;
    bump(this.stats.rejected, 'invalid-id');
    checkId(target, 'lookup target');
  }

  private async run(
    target: string,
    opts: LookupOptions,
    emit?: (e: LookupEvent) => void,
  ): Promise<LookupResult> {
    const { table, clock } = this.o;
    this.stats.lookups++;
    const k = positiveInt(opts.k ?? table.k, 'k');
    table.markRefreshed(table.bucketOf(target));
    const cx: LookupContext = {
      selfId: table.selfId,
      k,
      alpha: this.tunables.alpha,
      maxQueries: this.tunables.maxQueries,
      net: this.o.net,
      clock,
      rtt: this.rtt,
      counters: this.stats,
      rejected: this.stats.rejected,
      initial: table.closest(target, k),
      onResponse: (peer) => table.observe(peer, { rttMs: this.rtt.srtt(peer.id) }),
      onFailure: this.onPeerFailed,
      ...(emit ? { emit } : {}),
    };
    const deadlineOpts = { signal: opts.signal, timeoutMs: opts.timeoutMs ?? this.tunables.lookupTimeoutMs };
    try {
      const r = await withDeadline(clock, deadlineOpts, 'lookup', (signal) => runLookup(cx, target, signal));
      this.stats.succeeded++;
      return r;
    } catch (err) {
      if (err instanceof AbortError || err instanceof TimeoutError) this.stats.aborted++;
      else this.stats.failed++;
      throw err;
    }
  }
}
