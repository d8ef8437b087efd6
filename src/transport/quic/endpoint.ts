import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { type LookupOneOptions, lookup as lookupCb } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TimeoutError } from '../../core/index.js';
import { type AbortOptions, type Clock, deadline, raceAbort, systemClock } from '../../runtime/index.js';
import { CONNECTION_REFUSED_CODE } from '../codes.js';
import { EndpointClosedError, TransportUsageError } from '../errors.js';
import { reportHandshakeError } from '../handshake-error.js';
import { Inbox } from '../inbox.js';
import { emptyEndpointStats } from '../stats.js';
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
import { CID_LEN, CidRegistry, cidKey } from './cid-registry.js';
import { buildQuicheConfig, type ResolvedOptions, resolveOptions } from './config.js';
import { QuicConnection } from './connection.js';
import type { EndpointLink } from './endpoint-link.js';
import { type QuicheConfig, quiche } from './native.js';
import { PacketRouter, type RawHandler } from './packet-router.js';
import { SessionCache } from './session-cache.js';

const SOCKET_BUFFER = 4 * 1024 * 1024;

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
  private readonly cids = new CidRegistry();
  /** Connections to flush after this I/O batch (`flushQueued` marks them; an array, as a Set reallocates as it empties). */
  private readonly dirty: QuicConnection[] = [];
  private flushScheduled = false;
  private readonly incoming: Inbox<Connection>;
  private readonly rawHandlers = new Set<RawHandler>();
  private readonly sessions = new SessionCache(1024);
  private readonly admission: Admission;
  private readonly router: PacketRouter;
  private readonly counters = emptyEndpointStats();
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
    this.router = new PacketRouter(
      this,
      this.cids,
      this.counters,
      this.rawHandlers,
      this.admission,
      this.opts,
      this.config,
      options.tls,
      () => this.state === 'open',
      options.onHandshakeError,
    );
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
      lookup: literalLookup,
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
    const router = ep.router;
    socket.on('message', (msg, rinfo) => router.onPacket(msg, { host: rinfo.address, port: rinfo.port }));
    // Send errors (ICMP unreachable and the like) must never take the node down.
    socket.on('error', () => {});
    return ep;
  }

  get address(): Address {
    return this.localAddress;
  }

  // ---- EndpointLink ----

  sendPacket(data: Uint8Array, to: Address): void {
    if (this.state === 'closed') return;
    this.counters.packetsSent++;
    this.counters.bytesSent += data.byteLength;
    // A send callback costs a request and a tick per packet: only the last packets of a
    // closing endpoint are waited for.
    if (this.state === 'open') {
      this.socket.send(data, to.port, to.host);
      return;
    }
    this.pendingSends++;
    this.socket.send(data, to.port, to.host, this.onSent);
  }

  private readonly onSent = (): void => {
    this.pendingSends--;
  };

  markDirty(c: QuicConnection): void {
    if (!c.flushQueued) {
      c.flushQueued = true;
      this.dirty.push(c);
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Flushing after the current I/O batch coalesces writes and ACKs into fewer packets.
    setImmediate(this.flushAll);
  }

  private readonly flushAll = (): void => {
    this.flushScheduled = false;
    const dirty = this.dirty;
    // A flush may mark more connections: they are appended, and flushed in this loop too.
    for (let i = 0; i < dirty.length; i++) {
      const c = dirty[i]!;
      if (!c.flushQueued) continue; // forgotten meanwhile
      c.flushQueued = false;
      c.flush();
    }
    dirty.length = 0;
  };

  surface(c: QuicConnection): void {
    // Handed out at the end of this I/O batch: a client that refused our certificate sends
    // its last handshake flight and its CONNECTION_CLOSE back to back, and both are read
    // before then, so such a connection is reported as a failed handshake, not surfaced.
    setImmediate(() => {
      if (!c.isOpen) {
        void c.closed.then((info) =>
          reportHandshakeError(
            this.options.onHandshakeError,
            c.remoteAddress,
            info.error ?? new Error(info.reason),
          ),
        );
        return;
      }
      if (this.incoming.push(c)) return;
      this.counters.dropped.overCapacity++;
      void c.close({ code: CONNECTION_REFUSED_CODE, reason: 'accept queue full' });
    });
  }

  release(c: QuicConnection): void {
    this.forget(c);
  }

  handshakeFailed(): void {
    this.counters.handshakesFailed++;
  }

  private forget(c: QuicConnection): void {
    this.cids.forget(c);
    c.flushQueued = false;
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
      this.cids.register(conn, [cidKey(scid)]);
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

  onConnection(handler: (c: Connection) => unknown): () => void {
    return this.incoming.subscribe(handler);
  }

  connections(): Connection[] {
    return [...this.cids.connections()].filter((c) => c.isOpen);
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
    await Promise.all([...this.cids.connections()].map((c) => c.close(opts)));
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
    for (const c of [...this.cids.connections()]) {
      c.destroy(info);
      this.forget(c);
    }
    this.socket.close();
    this.resolveClosed();
  }
}

/**
 * dgram resolves every send's host, even an IP literal (dns.lookup answers those on the
 * next tick): answer literals at once, so a packet costs no lookup and no tick.
 */
function literalLookup(
  host: string,
  opts: number | LookupOneOptions,
  cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(host);
  if (family !== 0) cb(null, host, family);
  else lookupCb(host, typeof opts === 'number' ? { family: opts } : opts, cb);
}
