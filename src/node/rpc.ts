import { MaculaError, TimeoutError } from '../core/index.js';
import { DhtError, dhtKey } from '../dht/index.js';
import {
  Balancer,
  type CallOptions,
  checkProcedure,
  type ProcedureHandler,
  ProviderCache,
  providerKey,
  RpcError,
  type RpcStats,
} from '../rpc/index.js';
import {
  type AbortOptions,
  ChurnSet,
  type Clock,
  DeadlineQueue,
  dropOldest,
  type Random,
  raceAbort,
  TurnBudget,
} from '../runtime/index.js';
import type { PeerChannels } from './channels.js';
import type { NodeDht } from './dht.js';
import type { Router } from './router.js';
import type { RoutingHost } from './routing.js';
import { type CallBody, RpcChannel } from './rpc-channel.js';
import { HandlerContext, ServedCalls } from './rpc-inflight.js';
import { Registrations } from './rpc-registrations.js';
import { CallScope } from './rpc-scope.js';
import type { NodeLogger } from './types.js';

/** Calls a provider serves at once; more are refused with OVERLOADED (bounded memory). */
const MAX_SERVING = 10_000;
/** Default deadline of a call (ms). */
const CALL_TIMEOUT_MS = 10_000;
/** Providers tried per call before giving up (the first, then fallbacks). */
const MAX_PROVIDERS_TRIED = 3;
/**
 * RPC over routed messages: providers announce `rpc:provider:<name>` in the DHT, callers
 * find them there (cached, dropped when membership loses the node), pick one by the
 * balance strategy and fail over to the next when it is unreachable. Results and
 * remote errors travel back in the routed message's acknowledgement.
 */
export class NodeRpc {
  private readonly local: Registrations;
  private readonly cache: ProviderCache;
  private readonly balancer: Balancer;
  /** Every call's deadline, on one timer. */
  private readonly deadlines: DeadlineQueue;
  private readonly turns: TurnBudget;
  /** Calls in flight (given up at node stop). */
  private readonly scopes = new ChurnSet<CallScope>();
  private readonly served: ServedCalls;
  private readonly direct: RpcChannel;
  private nextCallId = 1;
  /** Hashed DHT key → procedure, of the provider lists read (for change notes). */
  private readonly readKeys = new Map<string, string>();
  /** Provider reads in flight, by procedure (shared by concurrent calls). */
  private readonly reading = new Map<string, Promise<string[]>>();
  private readonly counters = {
    calls: 0,
    callFailures: 0,
    casts: 0,
    served: 0,
    serveFailures: 0,
    failovers: 0,
  };

  constructor(
    private readonly host: RoutingHost,
    private readonly router: Router,
    private readonly dht: NodeDht,
    channels: PeerChannels,
    private readonly o: {
      clock: Clock;
      random: Random;
      logger: NodeLogger;
      cacheTtlMs?: number;
      /** Told of each provider reached only through routes (it may get dialled). */
      routed?: (id: string) => void;
    },
  ) {
    this.local = new Registrations(dht, o);
    this.cache = new ProviderCache(o.clock, o.cacheTtlMs ?? 5000);
    // A new or withdrawn provider is seen at once when a storer tells us (DHT change notes).
    dht.onChanged((hashed) => {
      const name = this.readKeys.get(hashed);
      if (name !== undefined) this.cache.invalidate(name);
    });
    this.balancer = new Balancer(o.random, (id) => host.connection(id)?.stats().rttMs);
    this.deadlines = new DeadlineQueue(o.clock);
    this.turns = new TurnBudget(o.clock);
    this.served = new ServedCalls(this.deadlines);
    const busy = () => this.served.size >= MAX_SERVING;
    this.direct = new RpcChannel(
      channels,
      (id) => host.connection(id),
      (n, a, caller, i, d) => this.serve(checkProcedure(n), a, caller, i, d),
      busy,
    );
    router.handle('rpc', async ({ envelope, body }) => {
      const { n, a, c, i, d } = (body ?? {}) as {
        n?: unknown;
        a?: unknown;
        c?: unknown;
        i?: unknown;
        d?: unknown;
      };
      if (busy()) throw new RpcError('OVERLOADED', 'The provider is serving as many calls as it allows');
      const run = this.serve(checkProcedure(n), a, envelope.src, i, d);
      if (c !== true) return { v: await run };
      run.catch(() => {}); // a cast's failure is counted in serve(); nobody waits for it
      return undefined;
    });
    router.handle('rpc-cancel', async ({ envelope, body }) => {
      const { i, t } = (body ?? {}) as { i?: unknown; t?: unknown };
      this.served.cancel(envelope.src, i, t === 1);
      return undefined;
    });
  }

  /** Provides `name` on this node; resolves once announced (retried in the background if the DHT is unreachable). */
  register(name: string, handler: ProcedureHandler): Promise<void> {
    return this.local.add(name, handler);
  }

  /** Stops providing `name` and withdraws its announcement. */
  unregister(name: string, opts?: AbortOptions): Promise<void> {
    return this.local.remove(name, opts);
  }

  /** Calls `name` on a provider and resolves with its result. */
  async call<R = unknown>(name: string, args: unknown, opts: CallOptions = {}): Promise<R> {
    const turn = this.turns.spend();
    if (turn) await turn;
    this.counters.calls++;
    try {
      return (await this.invoke(name, args, opts, false)) as R;
    } catch (err) {
      this.counters.callFailures++;
      throw err;
    }
  }

  /** Sends `name(args)` to a provider without waiting for the result; resolves once it was handed over. */
  async cast(name: string, args: unknown, opts: CallOptions = {}): Promise<void> {
    const turn = this.turns.spend();
    if (turn) await turn;
    this.counters.casts++;
    await this.invoke(name, args, opts, true);
  }

  /** Membership lost a node: it provides nothing any more. */
  nodeGone(id: string): void {
    this.cache.dropNode(id);
  }

  /** The connection to `id` closed: its calls in flight on the channel fail over. */
  peerGone(id: string): void {
    this.direct.peerGone(id);
  }

  stop(): void {
    const stopped = new MaculaError('NOT_RUNNING', 'Node stopped');
    // A call waiting for its reply on a channel watches its scope: this gives it up too.
    for (const scope of this.scopes.values()) scope.abort(stopped);
    this.deadlines.clear();
    this.served.stop();
    this.local.stop();
  }

  stats(): RpcStats {
    return { registered: this.local.size, ...this.counters, cachedProcedures: this.cache.size };
  }

  private async invoke(name: string, args: unknown, opts: CallOptions, cast: boolean): Promise<unknown> {
    checkProcedure(name);
    const scope = new CallScope(
      this.deadlines,
      opts.timeoutMs ?? CALL_TIMEOUT_MS,
      `call ${name}`,
      opts.signal,
    );
    this.scopes.add(scope);
    try {
      if (scope.reason !== undefined) throw scope.error();
      return await this.attempt(name, args, opts, cast, scope);
    } finally {
      this.scopes.delete(scope);
      scope.dispose();
    }
  }

  /** Tries the providers in balance order (at most {@link MAX_PROVIDERS_TRIED}). */
  private async attempt(
    name: string,
    args: unknown,
    opts: CallOptions,
    cast: boolean,
    scope: CallScope,
  ): Promise<unknown> {
    const { balance, provider } = opts;
    const candidates = provider ? [provider] : await this.providers(name, scope);
    if (candidates.length === 0) throw new RpcError('NO_PROVIDER', `No node provides ${name}`);
    const order = this.balancer.order(name, candidates, balance ?? 'round-robin');
    const tries = Math.min(order.length, MAX_PROVIDERS_TRIED);
    let last: unknown;
    for (let i = 0; i < tries; i++) {
      const id = order[i]!;
      if (i > 0) this.counters.failovers++;
      const callId = this.nextCallId++;
      // The handler gets what is left of our deadline, and hears of our cancellation.
      const body: CallBody = { n: name, a: args, i: callId, d: Math.max(1, scope.at - this.o.clock.now()) };
      if (cast) body.c = true;
      try {
        // Connected: on the peer channel; otherwise routed hop by hop.
        const conn = id === this.host.selfId ? undefined : this.host.connection(id);
        if (conn) return await this.direct.call(conn, id, body, scope);
        if (id !== this.host.selfId) this.o.routed?.(id);
        const r = await this.router.send(id, 'rpc', body, { signal: scope.signal });
        return (r.result as { v?: unknown } | undefined)?.v;
      } catch (err) {
        if (err instanceof RpcError && err.code === 'REMOTE_ERROR') throw err;
        if (scope.reason !== undefined) {
          if (!cast) this.cancelRemote(id, callId, scope.reason instanceof TimeoutError);
          throw scope.error();
        }
        if (err instanceof RpcError && err.code === 'UNKNOWN_PROCEDURE') this.cache.invalidate(name);
        last = err; // unreachable or no longer a provider: the next one
      }
    }
    if (last instanceof RpcError) throw last;
    throw new RpcError('UNREACHABLE', `No provider of ${name} answered (${tries} tried)`, {
      cause: last,
    });
  }

  /**
   * Providers of `name`: this node first when it provides it, then the DHT's, alive ones
   * only. A cached list is used even expired while one shared read refreshes it, so calls
   * in flight never all wait on (or all start) the same DHT read.
   */
  private async providers(name: string, scope: CallScope): Promise<readonly string[]> {
    const hit = this.cache.peek(name);
    let ids: readonly string[];
    if (hit) {
      ids = hit.providers;
      if (hit.expired) this.readProviders(name).catch(() => {});
    } else
      ids = await raceAbort(this.readProviders(name), scope.signal).catch((cause: unknown) => {
        if (!(cause instanceof DhtError)) throw cause;
        throw new RpcError('UNREACHABLE', `Could not read the providers of ${name}`, { cause });
      });
    const self = this.host.selfId;
    const mine = this.local.has(name);
    // The usual case (not a provider ourselves, not listed) allocates nothing.
    if (!mine && !ids.includes(self)) return ids;
    return [...(mine ? [self] : []), ...ids.filter((id) => id !== self)];
  }

  private readProviders(name: string): Promise<string[]> {
    let p = this.reading.get(name);
    if (p) return p;
    const key = providerKey(name);
    this.readKeys.set(dhtKey(key), name);
    dropOldest(this.readKeys, 4096);
    p = this.dht
      .get(key)
      .then((records) => {
        const ids = records.map((r) => r.owner).filter((id) => this.host.isAlive(id) !== false);
        this.cache.set(name, ids);
        return ids;
      })
      .finally(() => this.reading.delete(name));
    this.reading.set(name, p);
    p.catch((err: unknown) => this.o.logger.debug({ err, name }, 'rpc: reading providers failed'));
    return p;
  }

  /** Tells provider `id` we gave up on call `callId` (best effort: its deadline covers a loss). */
  private cancelRemote(id: string, callId: number, timedOut: boolean): void {
    if (id === this.host.selfId) {
      this.served.cancel(id, callId, timedOut);
      return;
    }
    this.router
      .send(id, 'rpc-cancel', { i: callId, ...(timedOut ? { t: 1 } : {}) }, { timeoutMs: 5_000 })
      .catch((err: unknown) => {
        this.o.logger.debug({ err, provider: id.slice(0, 8) }, 'rpc: cancelling a call failed');
      });
  }

  private async serve(
    name: string,
    args: unknown,
    caller: string,
    id?: unknown,
    deadlineMs?: unknown,
  ): Promise<unknown> {
    const handler = this.local.handler(name);
    if (!handler)
      throw new RpcError(
        'UNKNOWN_PROCEDURE',
        `Node ${this.host.selfId.slice(0, 8)} does not provide ${name}`,
      );
    this.counters.served++;
    const { call, end } = this.served.begin(caller, id, deadlineMs);
    try {
      const out = handler(args, new HandlerContext(caller, name, call));
      return out instanceof Promise ? await call.race(out) : out;
    } catch (err) {
      this.counters.serveFailures++;
      const remoteCode = err instanceof MaculaError ? err.code : undefined;
      const text = err instanceof Error ? err.message : String(err);
      throw new RpcError(
        'REMOTE_ERROR',
        `${name} failed on ${this.host.selfId.slice(0, 8)}: ${text.slice(0, 400)}`,
        {
          cause: err,
          ...(remoteCode ? { remoteCode } : {}),
        },
      );
    } finally {
      end();
    }
  }
}
