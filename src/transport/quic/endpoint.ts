import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TimeoutError } from '../../core/index.js';
import { type AbortOptions, type Clock, deadline, raceAbort, systemClock } from '../../runtime/index.js';
import { CONNECTION_REFUSED_CODE } from '../codes.js';
import { EndpointClosedError, TransportUsageError } from '../errors.js';
import { Inbox } from '../inbox.js';
import type {
  Address,
  CloseInfo,
  Connection,
  DialOptions,
  Endpoint,
  EndpointOptions,
  EndpointStats,
} from '../types.js';
import { Admission } from './admission.js';
import { buildQuicheConfig, type ResolvedOptions, resolveOptions } from './config.js';
import { type EndpointLink, QuicConnection } from './connection.js';
import { PacketType, type QuicheConfig, quiche } from './native.js';
import { SessionCache } from './session-cache.js';

const CID_LEN = 20;
const SOCKET_BUFFER = 4 * 1024 * 1024;
/** Connection ids are map keys as latin1 strings: cheap to build from a packet slice. */
const cidKey = (cid: Uint8Array): string =>
  Buffer.from(cid.buffer, cid.byteOffset, cid.byteLength).toString('latin1');

function emptyStats(): EndpointStats {
  return {
    connections: 0,
    packetsReceived: 0,
    packetsSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    dropped: { malformed: 0, unknownConnection: 0, rateLimited: 0, overCapacity: 0 },
    handshakesFailed: 0,
  };
}

/**
 * A QUIC endpoint on ONE UDP socket: dials and accepts on the same port, routes
 * packets to connections by destination connection id, and passes non-QUIC
 * datagrams (STUN, hole punching) to `onRaw` handlers.
 */
export class QuicEndpoint implements Endpoint, EndpointLink {
  readonly clock: Clock;
  localAddress!: Address;
  private readonly opts: ResolvedOptions;
  private readonly config: QuicheConfig;
  private readonly byCid = new Map<string, QuicConnection>();
  private readonly cids = new Map<QuicConnection, string[]>();
  private readonly dirty = new Set<QuicConnection>();
  private flushScheduled = false;
  private readonly incoming: Inbox<Connection>;
  private readonly rawHandlers = new Set<(d: Uint8Array, from: Address) => void>();
  private readonly sessions = new SessionCache(1024);
  private readonly admission: Admission;
  private readonly counters = emptyStats();
  private pendingSends = 0;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private resolveClosed!: () => void;
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly options: EndpointOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.opts = resolveOptions(options);
    this.config = buildQuicheConfig(options, this.opts);
    this.incoming = new Inbox(this.opts.acceptQueueSize, this.clock, 'accept');
    this.admission = new Admission(this.clock);
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
  }

  /** Binds a UDP socket and returns the endpoint. */
  static async bind(options: EndpointOptions): Promise<QuicEndpoint> {
    const opts = resolveOptions(options);
    // Bigger kernel buffers absorb bursts that would otherwise be dropped and then retransmitted.
    const socket = dgram.createSocket({
      type: isIP(opts.host) === 6 ? 'udp6' : 'udp4',
      recvBufferSize: SOCKET_BUFFER,
      sendBufferSize: SOCKET_BUFFER,
    });
    const ep = new QuicEndpoint(socket, options);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port, opts.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const a = socket.address();
    ep.localAddress = { host: a.address, port: a.port };
    socket.on('message', (msg, rinfo) => ep.onPacket(msg, { host: rinfo.address, port: rinfo.port }));
    // Send errors (ICMP unreachable and the like) must never take the node down.
    socket.on('error', () => {});
    return ep;
  }

  get address(): Address {
    return this.localAddress;
  }

  // ---- receiving ----

  private onPacket(msg: Buffer, from: Address): void {
    const c = this.counters;
    c.packetsReceived++;
    c.bytesReceived += msg.length;
    const first = msg[0];
    if (first === undefined) return void c.dropped.malformed++;
    if ((first & 0x40) === 0) {
      this.onRawPacket(msg, from);
      return;
    }
    let key: string;
    if ((first & 0x80) === 0) {
      if (msg.length < 1 + CID_LEN) return void c.dropped.malformed++;
      key = msg.toString('latin1', 1, 1 + CID_LEN);
    } else {
      const len = msg[5];
      if (len === undefined || len > CID_LEN || msg.length < 6 + len) return void c.dropped.malformed++;
      key = msg.toString('latin1', 6, 6 + len);
    }
    const conn = this.byCid.get(key);
    if (conn) {
      conn.recv(msg, from);
      return;
    }
    if ((first & 0x80) === 0) return void c.dropped.unknownConnection++;
    this.onNewInitial(msg, from);
  }

  private onRawPacket(msg: Buffer, from: Address): void {
    if (this.rawHandlers.size === 0) return void this.counters.dropped.malformed++;
    const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    for (const h of this.rawHandlers) h(data, from);
  }

  private onNewInitial(msg: Buffer, from: Address): void {
    const c = this.counters;
    let hdr: ReturnType<typeof quiche.Header.fromSlice>;
    try {
      hdr = quiche.Header.fromSlice(msg, CID_LEN);
    } catch {
      return void c.dropped.malformed++;
    }
    if (hdr.ty !== PacketType.Initial || !this.opts.acceptIncoming || this.state !== 'open') {
      return void c.dropped.unknownConnection++;
    }
    if (!quiche.versionIsSupported(hdr.version)) {
      this.negotiateVersion(hdr.scid, hdr.dcid, from);
      return;
    }
    // RFC 9000 §14.1: a client's Initial is padded to 1200 bytes; smaller ones are not worth state.
    if (msg.length < quiche.MIN_CLIENT_INITIAL_LEN) return void c.dropped.malformed++;
    if (this.cids.size >= this.opts.maxConnections) return void c.dropped.overCapacity++;
    const verdict = this.admission.check(from.host);
    if (verdict !== 'ok') return void c.dropped[verdict]++;
    const scid = randomBytes(CID_LEN);
    const qc = quiche.Connection.accept(scid, null, this.localAddress, from, this.config);
    const conn = new QuicConnection(
      this,
      qc,
      scid.toString('hex'),
      'server',
      from,
      this.opts,
      this.options.tls,
    );
    this.register(conn, [cidKey(scid), cidKey(hdr.dcid)]);
    conn.recv(msg, from);
    if (qc.stats().recv === 0) {
      // Nothing in it decrypted: a forged Initial. Forget it before it costs anything.
      this.forget(conn);
      return void c.dropped.malformed++;
    }
    this.admission.halfOpen++;
    const timer = this.clock.setTimeout(
      () => conn.abandon(new TimeoutError('handshake timed out')),
      this.opts.dialTimeoutMs,
    );
    const done = () => {
      this.admission.halfOpen--;
      this.clock.clearTimeout(timer);
    };
    conn.ready.then(done, done);
  }

  private negotiateVersion(scid: Uint8Array, dcid: Uint8Array, to: Address): void {
    if (this.admission.check(to.host) !== 'ok') return void this.counters.dropped.rateLimited++;
    const out = Buffer.allocUnsafe(quiche.MAX_DATAGRAM_SIZE);
    const n = quiche.negotiateVersion(scid, dcid, out);
    this.sendPacket(out.subarray(0, n), to);
  }

  // ---- EndpointLink ----

  sendPacket(data: Uint8Array, to: Address): void {
    if (this.state === 'closed') return;
    this.counters.packetsSent++;
    this.counters.bytesSent += data.byteLength;
    this.pendingSends++;
    this.socket.send(data, to.port, to.host, this.onSent);
  }

  private readonly onSent = (): void => {
    this.pendingSends--;
  };

  markDirty(c: QuicConnection): void {
    this.dirty.add(c);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Flushing after the current I/O batch coalesces writes and ACKs into fewer packets.
    setImmediate(this.flushAll);
  }

  private readonly flushAll = (): void => {
    this.flushScheduled = false;
    for (const c of this.dirty) {
      this.dirty.delete(c);
      c.flush();
    }
  };

  surface(c: QuicConnection): void {
    if (this.incoming.push(c)) return;
    this.counters.dropped.overCapacity++;
    void c.close({ code: CONNECTION_REFUSED_CODE, reason: 'accept queue full' });
  }

  release(c: QuicConnection): void {
    this.forget(c);
  }

  handshakeFailed(): void {
    this.counters.handshakesFailed++;
  }

  private register(c: QuicConnection, keys: string[]): void {
    this.cids.set(c, keys);
    for (const k of keys) this.byCid.set(k, c);
  }

  private forget(c: QuicConnection): void {
    for (const k of this.cids.get(c) ?? []) if (this.byCid.get(k) === c) this.byCid.delete(k);
    this.cids.delete(c);
    this.dirty.delete(c);
  }

  // ---- Endpoint API ----

  async dial(address: Address, opts?: DialOptions): Promise<Connection> {
    if (this.state !== 'open') throw new EndpointClosedError();
    if (!Number.isInteger(address.port) || address.port <= 0 || address.port > 65535) {
      throw new TransportUsageError(`Invalid port ${address.port}`);
    }
    const { signal, dispose } = deadline(
      this.clock,
      { signal: opts?.signal, timeoutMs: opts?.timeoutMs ?? this.opts.dialTimeoutMs },
      `Dial to ${address.host}:${address.port}`,
    );
    try {
      const host = isIP(address.host)
        ? address.host
        : (await raceAbort(lookup(address.host), signal)).address;
      const remote = { host, port: address.port };
      const scid = randomBytes(CID_LEN);
      const qc = quiche.Connection.connect(
        opts?.serverName ?? null,
        scid,
        this.localAddress,
        remote,
        this.config,
      );
      const resumed = this.sessions.apply(qc, remote);
      const conn = new QuicConnection(
        this,
        qc,
        scid.toString('hex'),
        'client',
        remote,
        this.opts,
        this.options.tls,
      );
      conn.resumedFromCache = resumed;
      this.register(conn, [cidKey(scid)]);
      // Keep the session ticket for the next dial to this address, however this connection ends.
      conn.closed.then(() => this.sessions.remember(conn));
      conn.flush();
      // 0-RTT: `ready` then settles as soon as the verify hook passed, without a round trip.
      if (resumed && opts?.earlyData) conn.openEarly();
      await raceAbort(conn.ready, signal, () => conn.abandon(new TimeoutError('dial abandoned')));
      return conn;
    } finally {
      dispose();
    }
  }

  accept(opts?: AbortOptions): Promise<Connection> {
    return this.incoming.next(opts);
  }

  onConnection(handler: (c: Connection) => void): () => void {
    return this.incoming.subscribe(handler);
  }

  connections(): Connection[] {
    return [...this.cids.keys()].filter((c) => c.isOpen);
  }

  sendRaw(address: Address, data: Uint8Array): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new EndpointClosedError());
    return new Promise((resolve, reject) => {
      this.socket.send(data, address.port, address.host, (err) => (err ? reject(err) : resolve()));
    });
  }

  onRaw(handler: (data: Uint8Array, from: Address) => void): () => void {
    this.rawHandlers.add(handler);
    return () => this.rawHandlers.delete(handler);
  }

  stats(): EndpointStats {
    const s = this.counters;
    return { ...s, connections: this.connections().length, dropped: { ...s.dropped } };
  }

  /** Half-open handshakes in progress (bounded by admission control). */
  get handshakesInProgress(): number {
    return this.admission.halfOpen;
  }

  async close(opts?: { code?: number; reason?: string }): Promise<void> {
    if (this.state !== 'open') return this.closed;
    this.state = 'closing';
    this.incoming.close(new EndpointClosedError());
    await Promise.all([...this.cids.keys()].map((c) => c.close(opts)));
    // Let the CONNECTION_CLOSE packets leave before the socket goes (bounded wait).
    const until = this.clock.now() + 200;
    while (this.pendingSends > 0 && this.clock.now() < until) await new Promise((r) => setImmediate(r));
    this.teardown({ kind: 'local', code: opts?.code ?? 0, reason: opts?.reason ?? 'endpoint closed' });
  }

  /** Crash: drop the socket at once, tell no peer. For tests and fault injection. */
  abort(): void {
    if (this.state === 'closed') return;
    this.incoming.close(new EndpointClosedError());
    this.teardown({ kind: 'error', code: 0, reason: 'endpoint aborted' });
  }

  private teardown(info: CloseInfo): void {
    this.state = 'closed';
    for (const c of [...this.cids.keys()]) {
      c.destroy(info);
      this.forget(c);
    }
    this.socket.close();
    this.resolveClosed();
  }
}
