import { MaculaError, TimeoutError } from '../core/index.js';
import { type AbortOptions, type Random, toAbortError } from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import type { SimClock } from './sim-clock.js';

/** Link model of a {@link SimNetwork}: one-way latency, jitter and loss. */
export interface SimLinkOptions {
  /** One-way latency (ms, default 1). */
  latencyMs?: number;
  /** Uniform extra delay in [0, jitterMs) (default 0.5). */
  jitterMs?: number;
  /** Probability that a datagram is lost (default 0). */
  loss?: number;
}

/** What a simulated host does with what reaches it; `from` is the sender's `peer` tag. */
export interface SimHost<D, S, P> {
  onDatagram(msg: D, from: P): void;
  /** A reliable request/response (push-pull); throw to refuse. */
  onRequest(req: S, from: P): S;
}

interface Bound<D, S, P> {
  host: SimHost<D, S, P>;
  peer: P;
  key: string;
  /** Extra delay on everything to and from this host (a slow node). */
  slowMs: number;
  /** Partition group (undefined: talks to everyone). */
  group: number | undefined;
}

export interface SimNetworkStats {
  datagrams: number;
  dropped: number;
  bytes: number;
  /** Push-pull exchanges and their (estimated) bytes, both directions. */
  requests: number;
  requestBytes: number;
}

/**
 * A datagram network for large simulations on a {@link SimClock}: datagrams are objects
 * (no serialisation; `size` is what the sender says the encoded packet would weigh),
 * delivery follows the link model, partitions and slow hosts. Each bound host carries a
 * `peer` tag handed to receivers as the sender. Deterministic for a given seed and call order.
 */
export class SimNetwork<D, S, P> {
  /** host → port → binding (nested maps: no key string built per datagram). */
  private readonly hosts = new Map<string, Map<number, Bound<D, S, P>>>();
  private readonly groupOf = new Map<string, number>();
  private latencyMs: number;
  private jitterMs: number;
  private loss: number;
  readonly stats: SimNetworkStats = { datagrams: 0, dropped: 0, bytes: 0, requests: 0, requestBytes: 0 };
  private readonly deliver = (from: Bound<D, S, P>, to: Address, msg: D): void => {
    const dst = this.lookup(to);
    if (!dst || cut(from, dst)) {
      this.stats.dropped++;
      return;
    }
    dst.host.onDatagram(msg, from.peer);
  };

  constructor(
    private readonly clock: SimClock,
    private readonly random: Random,
    o: SimLinkOptions = {},
  ) {
    this.latencyMs = o.latencyMs ?? 1;
    this.jitterMs = o.jitterMs ?? 0.5;
    this.loss = o.loss ?? 0;
  }

  static key(a: Address): string {
    return `${a.host}:${a.port}`;
  }

  bind(address: Address, host: SimHost<D, S, P>, peer: P): void {
    let ports = this.hosts.get(address.host);
    if (!ports) {
      ports = new Map();
      this.hosts.set(address.host, ports);
    }
    const key = SimNetwork.key(address);
    if (ports.has(address.port)) throw new MaculaError('ADDRESS_IN_USE', `${key} is already bound`);
    ports.set(address.port, { host, peer, key, slowMs: 0, group: this.groupOf.get(key) });
  }

  /** The host vanishes (a crash): whatever is in flight to it is lost. */
  unbind(address: Address): void {
    this.hosts.get(address.host)?.delete(address.port);
  }

  setConditions(o: SimLinkOptions): void {
    this.latencyMs = o.latencyMs ?? this.latencyMs;
    this.jitterMs = o.jitterMs ?? this.jitterMs;
    this.loss = o.loss ?? this.loss;
  }

  /** Everything to and from `address` takes up to `extraMs` longer (0 = normal). */
  setSlow(address: Address, extraMs: number): void {
    const b = this.lookup(address);
    if (b) b.slowMs = extraMs;
  }

  /** Drops everything between the groups (hosts in no group talk to everyone) until {@link heal}. */
  partition(groups: ReadonlyArray<readonly Address[]>): void {
    this.groupOf.clear();
    groups.forEach((g, i) => {
      for (const a of g) this.groupOf.set(SimNetwork.key(a), i);
    });
    for (const ports of this.hosts.values())
      for (const b of ports.values()) b.group = this.groupOf.get(b.key);
  }

  heal(): void {
    this.groupOf.clear();
    for (const ports of this.hosts.values()) for (const b of ports.values()) b.group = undefined;
  }

  send(from: Address, to: Address, msg: D, size: number): void {
    this.stats.datagrams++;
    this.stats.bytes += size;
    const src = this.lookup(from);
    // Draw the same random numbers whatever happens, so a seed replays exactly.
    const lost = this.random.next() < this.loss;
    const dst = this.lookup(to);
    const delay = this.delay(src, dst);
    if (!src || lost || (dst && cut(src, dst))) {
      this.stats.dropped++;
      return;
    }
    this.clock.call(delay, this.deliver, src, to, msg);
  }

  /**
   * A reliable exchange (no loss, but partitions, crashes, `opts.timeoutMs` and
   * `opts.signal` apply). `sizes` estimates request and reply bytes for the stats.
   */
  request(from: Address, to: Address, req: S, opts: AbortOptions = {}, sizes?: SizeHint<S>): Promise<S> {
    const src = this.lookup(from);
    this.stats.requests++;
    if (sizes) this.stats.requestBytes += sizes(req);
    return new Promise<S>((resolve, reject) => {
      const { signal, timeoutMs } = opts;
      if (signal?.aborted) {
        reject(toAbortError(signal.reason));
        return;
      }
      let done = false;
      const timers: object[] = [];
      // Promise-settling steps: the clock lets their continuations run at once.
      const later = (ms: number, fn: () => void) => timers.push(this.clock.callAsync(ms, fn));
      const onAbort = () => finish(toAbortError(signal?.reason));
      const finish = (err: Error | undefined, res?: S) => {
        if (done) return;
        done = true;
        for (const t of timers) this.clock.clearTimeout(t);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res as S);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        later(timeoutMs, () =>
          finish(new TimeoutError(`request to ${SimNetwork.key(to)} timed out after ${timeoutMs} ms`)),
        );
      }
      later(this.delay(src, this.lookup(to)), () => {
        const dst = this.lookup(to);
        if (!src || !dst || cut(src, dst)) {
          finish(unreachable(from, to));
          return;
        }
        let res: S;
        try {
          res = dst.host.onRequest(req, src.peer);
        } catch (err) {
          finish(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (sizes) this.stats.requestBytes += sizes(res);
        later(this.delay(dst, src), () => {
          if (this.lookup(from) !== src || cut(src, dst)) finish(unreachable(to, from));
          else finish(undefined, res);
        });
      });
    });
  }

  private lookup(a: Address): Bound<D, S, P> | undefined {
    return this.hosts.get(a.host)?.get(a.port);
  }

  private delay(a: Bound<D, S, P> | undefined, b: Bound<D, S, P> | undefined): number {
    const slow = (a?.slowMs ?? 0) + (b?.slowMs ?? 0);
    return this.latencyMs + this.random.next() * this.jitterMs + (slow > 0 ? this.random.next() * slow : 0);
  }
}

/** Estimated encoded size of a request or reply. */
export type SizeHint<S> = (m: S) => number;

function cut(a: { group: number | undefined }, b: { group: number | undefined }): boolean {
  return a.group !== undefined && b.group !== undefined && a.group !== b.group;
}

function unreachable(from: Address, to: Address): MaculaError {
  return new MaculaError('UNREACHABLE', `${SimNetwork.key(to)} is unreachable from ${SimNetwork.key(from)}`);
}
