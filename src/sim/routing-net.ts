import type { Contact, IdKey, LookupService, PingFn, RoutingNet, RoutingTable } from '../routing/index.js';
import { type Random, type TimerHandle, toAbortError, type VirtualClock } from '../runtime/index.js';

/** One simulated node of a {@link LookupNetwork}. */
export interface LookupPeer {
  readonly contact: Contact;
  readonly key: IdKey;
  /** One-way access latency (ms): a message from a to b takes a's plus b's. */
  readonly latencyMs: number;
  alive: boolean;
  table: RoutingTable;
  lookups: LookupService;
}

/** Link behaviour: each transmission is lost with `lossRate` and resent after `retransmitMs`. */
export interface LookupLinkOptions {
  lossRate: number;
  retransmitMs: number;
  /** Transmissions before a message is given up (the request then goes unanswered). */
  maxAttempts: number;
}

/**
 * A tiny request/response network on a virtual clock, for routing simulations: per-node
 * latency, per-transmission loss with retransmission (as a stream transport would), and
 * dead nodes that never answer. Receivers learn requesters, as Kademlia nodes do.
 */
export class LookupNetwork {
  readonly peers = new Map<string, LookupPeer>();
  messages = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: Random,
    private readonly link: LookupLinkOptions,
  ) {}

  /** The {@link RoutingNet} and liveness ping `from` uses. */
  netFor(from: LookupPeer): { net: RoutingNet; ping: PingFn } {
    return {
      net: {
        findNode: (to, target, opts) =>
          this.request(from, to, opts.signal, (p) => p.table.closest(target, p.table.k)),
      },
      ping: (to, opts) => this.request(from, to, opts.signal, () => true),
    };
  }

  /** One-way delay, or undefined when every transmission is lost. */
  private delay(a: LookupPeer, b: LookupPeer): number | undefined {
    let d = a.latencyMs + b.latencyMs + this.random.next() * 2;
    for (let i = 0; i < this.link.maxAttempts; i++) {
      if (this.random.next() >= this.link.lossRate) return d;
      d += this.link.retransmitMs;
    }
    return undefined;
  }

  private request<T>(
    from: LookupPeer,
    to: Contact,
    signal: AbortSignal | undefined,
    serve: (p: LookupPeer) => T,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(toAbortError(signal.reason));
      let timer: TimerHandle | undefined;
      const onAbort = () => {
        if (timer) this.clock.clearTimeout(timer);
        reject(toAbortError(signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const peer = this.peers.get(to.id);
      this.messages++;
      const there = peer && this.delay(from, peer);
      if (!peer || there === undefined) return; // silence: the caller's timeout decides
      timer = this.clock.setTimeout(() => {
        if (!peer.alive) return;
        peer.table.observe(from.contact);
        const out = serve(peer);
        this.messages++;
        const back = this.delay(peer, from);
        if (back === undefined) return;
        timer = this.clock.setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve(out);
        }, back);
      }, there);
    });
  }
}
