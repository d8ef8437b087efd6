import { type Clock, type Random, systemClock } from '../../runtime/index.js';
import { TransportError } from '../errors.js';
import type { Address } from '../types.js';
import { ChainVerifier } from './chain-cache.js';
import type { LinkTable } from './link.js';
import type { Packet } from './packets.js';

/** Something bound to an address that packets are delivered to. */
export interface Receiver {
  receive(p: Packet): void;
}

/** Counters of the whole simulated network. */
export interface NetworkStats {
  /** Transmissions, retransmissions included. */
  packetsSent: number;
  packetsDelivered: number;
  /** Lost to `loss`, a partition, or an address with nothing bound. */
  packetsDropped: number;
  bytesSent: number;
}

const FIRST_EPHEMERAL_PORT = 49152;
const WILDCARD_HOSTS = ['0.0.0.0', '::'];
/** Retransmission backoff stops doubling here (unless one round trip is longer). */
const MAX_RETRANSMIT_DELAY_MS = 1000;

/**
 * The packet machinery behind a MemoryNetwork: bound addresses, and packets scheduled
 * on the injected clock after latency, jitter and bandwidth queueing, subject to loss
 * and partitions. Lost reliable packets are sent again after a backoff, like QUIC's
 * loss recovery, until they arrive or their sender gives up.
 */
export class Wire {
  private readonly bound = new Map<string, Receiver>();
  private readonly nextPort = new Map<string, number>();
  private connCounter = 0;
  private deferredQueue: { deferred(): void }[] = [];
  /** Packets by arrival instant: packets landing together share one timer. */
  private readonly arrivals = new Map<number, Packet[]>();
  /** On the system clock, a bound endpoint keeps the process alive, as a UDP socket would. */
  private keepProcessAlive: ReturnType<typeof setInterval> | undefined;
  /** Certificate verdicts shared by every endpoint of the network. */
  readonly verifier = new ChainVerifier();
  readonly counters: NetworkStats = { packetsSent: 0, packetsDelivered: 0, packetsDropped: 0, bytesSent: 0 };

  constructor(
    readonly clock: Clock,
    private readonly random: Random,
    private readonly links: LinkTable,
  ) {}

  /** Binds `host:port` (port 0: a free one on that host). Rejects a taken address with ADDRESS_IN_USE. */
  bind(host: string, port: number, rx: Receiver): Address {
    if (port === 0) port = this.freePort(host);
    const key = `${host}:${port}`;
    if (this.bound.has(key)) throw new TransportError('ADDRESS_IN_USE', `Address ${key} is already in use`);
    this.bound.set(key, rx);
    this.holdProcess();
    return { host, port };
  }

  unbind(a: Address, rx: Receiver): void {
    const key = `${a.host}:${a.port}`;
    if (this.bound.get(key) === rx) this.bound.delete(key);
    this.holdProcess();
  }

  /** systemClock timers are unref'd; without this, a process waiting on the network would just exit. */
  private holdProcess(): void {
    if (this.clock !== systemClock) return;
    if (this.bound.size > 0 && !this.keepProcessAlive) this.keepProcessAlive = setInterval(() => {}, 2 ** 30);
    if (this.bound.size === 0 && this.keepProcessAlive) {
      clearInterval(this.keepProcessAlive);
      this.keepProcessAlive = undefined;
    }
  }

  /**
   * Runs `task.deferred()` once the current synchronous work is done (a microtask), so
   * writes made together leave in one packet. One microtask serves every connection.
   */
  defer(task: { deferred(): void }): void {
    this.deferredQueue.push(task);
    if (this.deferredQueue.length === 1) queueMicrotask(this.runDeferred);
  }

  private readonly runDeferred = (): void => {
    const tasks = this.deferredQueue;
    this.deferredQueue = [];
    for (const t of tasks) t.deferred();
  };

  /** A connection number unique on this network (connections are routed by it). */
  nextConnNumber(): number {
    return ++this.connCounter;
  }

  /** Puts a packet on the wire. Never delivers synchronously. */
  send(p: Packet): void {
    const now = this.clock.now();
    const link = this.links.resolve(p.from.host, p.dstHost);
    this.counters.packetsSent++;
    this.counters.bytesSent += p.size;
    p.owner.packetSent(p);
    // Draw the same random numbers whatever happens, so a seed replays exactly.
    const jitter = link.jitterMs > 0 ? this.random.next() * link.jitterMs : 0;
    const lost = link.loss > 0 && this.random.next() < link.loss;
    const queued = this.links.serialise(p.from.host, p.dstHost, p.size, link.bandwidthBytesPerSec, now);
    if (lost || this.links.blocked(p.from.host, p.dstHost)) {
      this.counters.packetsDropped++;
      p.owner.packetLost(p);
      if (p.seq >= 0) this.retransmitLater(p, link.latencyMs, now);
      return;
    }
    this.schedule(p, queued + link.latencyMs + jitter);
  }

  private schedule(p: Packet, delay: number): void {
    const at = this.clock.now() + delay;
    const batch = this.arrivals.get(at);
    if (batch) {
      batch.push(p);
      return;
    }
    const landing = [p];
    this.arrivals.set(at, landing);
    this.clock.setTimeout(() => {
      this.arrivals.delete(at);
      for (const q of landing) this.deliver(q);
    }, delay);
  }

  private retransmitLater(p: Packet, latencyMs: number, now: number): void {
    if (p.owner.dead || now >= p.expiresAt) return;
    const base = 3 * latencyMs + 1;
    const delay = Math.min(base * 2 ** p.attempts, Math.max(base, MAX_RETRANSMIT_DELAY_MS));
    p.attempts++;
    this.clock.setTimeout(() => {
      if (!p.owner.dead) this.send(p);
    }, delay);
  }

  private deliver(p: Packet): void {
    let rx = this.bound.get(p.dstKey);
    if (!rx) rx = this.wildcard(p.dstKey);
    if (!rx) {
      this.counters.packetsDropped++;
      return;
    }
    this.counters.packetsDelivered++;
    rx.receive(p);
  }

  /** An endpoint bound to 0.0.0.0 or :: receives for any host. */
  private wildcard(key: string): Receiver | undefined {
    const port = key.slice(key.lastIndexOf(':') + 1);
    for (const h of WILDCARD_HOSTS) {
      const rx = this.bound.get(`${h}:${port}`);
      if (rx) return rx;
    }
    return undefined;
  }

  private freePort(host: string): number {
    let port = this.nextPort.get(host) ?? FIRST_EPHEMERAL_PORT;
    for (let tries = 0; tries < 65536; tries++) {
      if (port > 65535) port = 1024;
      if (!this.bound.has(`${host}:${port}`)) {
        this.nextPort.set(host, port + 1);
        return port;
      }
      port++;
    }
    throw new TransportError('ADDRESS_IN_USE', `No free port left on ${host}`);
  }
}
