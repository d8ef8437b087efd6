import { type AbortOptions, deadline, raceAbort, throwIfAborted } from '../../runtime/index.js';
import { CONNECTION_REFUSED_CODE } from '../codes.js';
import { EndpointClosedError, TransportError, TransportUsageError } from '../errors.js';
import { Inbox } from '../inbox.js';
import { emptyEndpointStats } from '../stats.js';
import type { Address, Connection, DialOptions, Endpoint, EndpointOptions, EndpointStats } from '../types.js';
import type { ChainVerifier } from './chain-cache.js';
import { type ConnectionEnv, MemoryConnection } from './connection.js';
import { type ResolvedEndpointOptions, resolveEndpointOptions } from './options.js';
import {
  addressKey,
  type Frame,
  frameSize,
  PACKET_OVERHEAD,
  type Packet,
  type PacketOwner,
} from './packets.js';
import type { Receiver, Wire } from './wire.js';

/** An endpoint bound to an address of a MemoryNetwork. */
export class MemoryEndpoint implements Endpoint, ConnectionEnv, Receiver, PacketOwner {
  readonly address: Address;
  readonly closed: Promise<void>;
  /** @internal */
  readonly counters: EndpointStats = emptyEndpointStats();
  /** @internal True once crashed. */
  dead = false;
  /** @internal */
  readonly opts: ResolvedEndpointOptions;
  /** Every connection, handshaking ones included, by routing key. */
  private readonly conns = new Map<number, MemoryConnection>();
  /** Connections past the handshake. */
  private readonly live = new Set<MemoryConnection>();
  private readonly inbox: Inbox<Connection>;
  private rawHandlers: ((data: Uint8Array, from: Address) => void)[] = [];
  private isClosed = false;
  private resolveClosed!: () => void;

  constructor(
    readonly wire: Wire,
    opts: EndpointOptions,
  ) {
    if (opts.clock && opts.clock !== wire.clock) {
      // Packets and timeouts must share one timeline: give the clock to the MemoryNetwork.
      throw new TransportUsageError(
        "a memory endpoint runs on its network's clock; pass the clock to MemoryNetwork",
      );
    }
    this.opts = resolveEndpointOptions(opts);
    this.address = wire.bind(this.opts.host, this.opts.port, this);
    this.inbox = new Inbox(this.opts.acceptQueueSize, wire.clock, 'accept');
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
  }

  /** @internal */
  get verifier(): ChainVerifier {
    return this.wire.verifier;
  }

  /** @internal */
  established(conn: MemoryConnection): void {
    this.live.add(conn);
    if (conn.role === 'client') return;
    if (!this.inbox.push(conn)) {
      this.counters.dropped.overCapacity++;
      void conn.close({ code: CONNECTION_REFUSED_CODE, reason: 'accept queue full' });
    }
  }

  /** @internal */
  gone(conn: MemoryConnection): void {
    this.live.delete(conn);
    if (this.conns.get(conn.route) === conn) this.conns.delete(conn.route);
  }

  // ---- Endpoint API ----

  async dial(address: Address, opts?: DialOptions): Promise<Connection> {
    if (this.isClosed) throw new EndpointClosedError();
    throwIfAborted(opts?.signal);
    if (typeof address?.host !== 'string' || !Number.isInteger(address.port)) {
      throw new TransportUsageError('dial needs an address { host, port }');
    }
    if (this.conns.size >= this.opts.maxConnections) {
      throw new TransportError('CONNECTION_LIMIT', `maxConnections (${this.opts.maxConnections}) reached`);
    }
    const conn = new MemoryConnection(this, 'client', this.wire.nextConnNumber(), address);
    this.conns.set(conn.route, conn);
    const timeoutMs = opts?.timeoutMs ?? this.opts.dialTimeoutMs;
    const d = deadline(this.wire.clock, { signal: opts?.signal, timeoutMs }, `dial ${addressKey(address)}`);
    try {
      await raceAbort(conn.established!, d.signal);
      return conn;
    } catch (e) {
      // Tell the server (if any) to drop its half; a no-op when the handshake already failed.
      await conn.close({ code: 0, reason: 'dial abandoned' });
      throw e;
    } finally {
      d.dispose();
    }
  }

  accept(opts?: AbortOptions): Promise<Connection> {
    return this.inbox.next(opts);
  }

  onConnection(handler: (conn: Connection) => unknown): () => void {
    return this.inbox.subscribe(handler);
  }

  connections(): Connection[] {
    return [...this.live];
  }

  async sendRaw(address: Address, data: Uint8Array): Promise<void> {
    if (this.isClosed) throw new EndpointClosedError();
    this.sendPacket(address, -1, -1, { t: 'raw', data: data.slice() });
  }

  onRaw(handler: (data: Uint8Array, from: Address) => void): () => void {
    this.rawHandlers.push(handler);
    return () => {
      this.rawHandlers = this.rawHandlers.filter((h) => h !== handler);
    };
  }

  stats(): EndpointStats {
    return { ...this.counters, connections: this.live.size, dropped: { ...this.counters.dropped } };
  }

  async close(opts?: { code?: number; reason?: string }): Promise<void> {
    if (this.isClosed) return this.closed;
    this.isClosed = true;
    for (const c of [...this.conns.values()]) await c.close(opts);
    this.shutdown();
  }

  /** @internal The process died: connections stop without a word, peers find out by idle timeout. */
  crash(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.dead = true;
    const err = new TransportError('CRASHED', 'The endpoint crashed');
    for (const c of [...this.conns.values()]) c.crash(err);
    this.shutdown();
  }

  // ---- network side ----

  /** @internal */
  receive(p: Packet): void {
    if (this.isClosed) return;
    this.counters.packetsReceived++;
    this.counters.bytesReceived += p.size;
    const conn = this.conns.get(p.route);
    if (conn) conn.receive(p);
    else if (p.route < 0) this.onRawPacket(p);
    else if (p.seq === 0 && p.frames[0]?.t === 'hello' && p.route % 2 === 1) this.onHello(p);
    else this.counters.dropped.unknownConnection++;
  }

  /** @internal */
  packetSent(p: Packet): void {
    this.counters.packetsSent++;
    this.counters.bytesSent += p.size;
  }

  /** @internal */
  packetLost(): void {}

  private onHello(p: Packet): void {
    // Like QUIC, a hello we will not serve is dropped silently (the dialer times out).
    if (!this.opts.acceptIncoming) {
      this.counters.dropped.unknownConnection++;
      return;
    }
    if (this.conns.size >= this.opts.maxConnections) {
      this.counters.dropped.overCapacity++;
      return;
    }
    const conn = new MemoryConnection(this, 'server', (p.route - 1) / 2, p.from);
    this.conns.set(conn.route, conn);
    conn.receive(p);
  }

  private onRawPacket(p: Packet): void {
    const f = p.frames[0];
    if (f?.t !== 'raw') return;
    for (const h of this.rawHandlers.slice()) {
      try {
        h(f.data, { ...p.from });
      } catch {
        // An application handler must not break delivery.
      }
    }
  }

  private sendPacket(to: Address, route: number, seq: number, f: Frame): void {
    this.wire.send({
      from: this.address,
      dstHost: to.host,
      dstKey: addressKey(to),
      route,
      seq,
      frames: [f],
      size: frameSize(f) + PACKET_OVERHEAD,
      owner: this,
      expiresAt: this.wire.clock.now() + this.opts.params.idleTimeoutMs,
      attempts: 0,
    });
  }

  private shutdown(): void {
    this.wire.unbind(this.address, this);
    for (const c of this.inbox.close(new EndpointClosedError())) void c.close();
    this.resolveClosed();
  }
}
