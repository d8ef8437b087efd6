import { type AbortOptions, type TimerHandle, withDeadline } from '../../runtime/index.js';
import { ConnectionClosedError } from '../errors.js';
import { Inbox } from '../inbox.js';
import type {
  Address,
  CloseInfo,
  Connection,
  ConnectionStats,
  Stream,
  StreamOpenOptions,
  TlsOptions,
} from '../types.js';
import { abandonedInfo, closedError, quicheCloseInfo, refusedInfo } from './close-info.js';
import type { ResolvedOptions } from './config.js';
import { DatagramChannel } from './datagrams.js';
import type { EndpointLink } from './endpoint-link.js';
import { KeepAlive } from './keep-alive.js';
import { type QuicheConnection, quiche } from './native.js';
import type { StreamReceiver } from './stream-receiver.js';
import type { StreamSender } from './stream-sender.js';
import { StreamTable } from './stream-table.js';

const enc = new TextEncoder();
type State = 'handshake' | 'verifying' | 'confirming' | 'open' | 'closed';

/** quiche writes each outgoing packet here first (one thread: one buffer serves every connection). */
const sendScratch = Buffer.allocUnsafeSlow(quiche.MAX_DATAGRAM_SIZE);

/** One QUIC connection driven by hand over quiche's raw API. */
export class QuicConnection implements Connection {
  peerCertificates: readonly Uint8Array[] = [];
  resumed = false;
  /** In the endpoint's list of connections to flush after this I/O batch. */
  flushQueued = false;
  /** When the peer was last heard from (clock time); read by the keep-alive. */
  lastRecvAt: number;
  private state: State = 'handshake';
  private readonly streams: StreamTable;
  /** The table's two sides, held directly: the per-packet calls skip a hop. */
  private readonly rx: StreamReceiver;
  private readonly tx: StreamSender;
  private readonly incoming: Inbox<Stream>;
  private readonly dgrams: DatagramChannel;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private keepAlive: KeepAlive | undefined;
  private early = false;
  private released = false;
  private resolveClosed!: (i: CloseInfo) => void;
  readonly closed: Promise<CloseInfo>;
  private settleReady!: (e?: Error) => void;
  /** Resolves when the connection is usable (verified both ways); rejects if it never gets there. */
  readonly ready: Promise<void>;

  constructor(
    private readonly ep: EndpointLink,
    readonly conn: QuicheConnection,
    readonly id: string,
    readonly role: 'client' | 'server',
    readonly remoteAddress: Address,
    private readonly opts: ResolvedOptions,
    private readonly tls: TlsOptions,
  ) {
    this.lastRecvAt = ep.clock.now();
    this.incoming = new Inbox(opts.acceptQueueSize, ep.clock, 'acceptStream');
    this.dgrams = new DatagramChannel(conn, opts.acceptQueueSize, ep.clock);
    this.streams = new StreamTable(
      conn,
      role,
      opts.streamHighWaterMark,
      {
        scheduleFlush: () => ep.markDirty(this),
        surface: (s) => this.incoming.push(s),
      },
      ep.clock,
    );
    this.rx = this.streams.rx;
    this.tx = this.streams.tx;
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (e) => (e ? reject(e) : resolve());
    });
    this.ready.catch(() => {});
  }

  get localAddress(): Address {
    return this.ep.localAddress;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get maxDatagramSize(): number {
    return this.state === 'open' ? (this.conn.dgramMaxWritableLen() ?? 0) : 0;
  }

  // ---- network side ----

  /** One UDP datagram for this connection. */
  recv(data: Uint8Array, from: Address): void {
    try {
      this.conn.recv(data, { from, to: this.ep.localAddress });
    } catch {
      // quiche recorded why (localError) or the packet was just unusable; both handled below.
    }
    this.lastRecvAt = this.ep.clock.now();
    this.afterIo();
    this.ep.markDirty(this);
  }

  /** Moves pending stream data and datagrams into packets and sends them. */
  flush(): void {
    // While an async verifyPeer hook runs, hold back HANDSHAKE_DONE: the client must not think it was accepted.
    if (this.state === 'verifying' && this.role === 'server') return;
    if (this.state === 'open') this.tx.flushWrites();
    this.sendPackets();
    this.armTimer();
    if (this.conn.isClosed()) this.onQuicheClosed();
  }

  /** Drains every packet quiche has ready onto the socket. */
  private sendPackets(): void {
    const scratch = sendScratch;
    for (;;) {
      let r: ReturnType<QuicheConnection['send']>;
      try {
        r = this.conn.send(scratch);
      } catch {
        break;
      }
      if (r === null) break;
      // The socket may hold a packet until the kernel takes it: each gets its own copy,
      // sized to fit (from Node's buffer pool: most packets are far below the maximum).
      const packet = Buffer.allocUnsafe(r[0]);
      scratch.copy(packet, 0, 0, r[0]);
      this.ep.sendPacket(packet, r[1].to);
    }
  }

  private afterIo(): void {
    if (this.state === 'handshake' && (this.conn.isEstablished() || this.earlyServer())) this.onEstablished();
    if (this.state === 'confirming' && !this.closing() && this.rx.acceptReceived()) this.becomeOpen();
    if (this.state === 'open') {
      this.rx.processReadable();
      this.dgrams.drain();
      this.tx.serveOpenWaiters();
    }
    if (this.state !== 'closed' && this.closing()) this.onQuicheClosing();
  }

  /** quiche is closing or closed (a CONNECTION_CLOSE went either way, or it timed out). */
  private closing(): boolean {
    return (
      this.conn.peerError() !== null ||
      this.conn.localError() !== null ||
      this.conn.isClosed() ||
      this.conn.isDraining()
    );
  }

  private armTimer(): void {
    const t = this.conn.timeout();
    if (t === null) return;
    const at = this.ep.clock.now() + t;
    // An earlier armed timer may fire early: quiche ignores premature onTimeout and we re-arm then.
    if (this.timer !== undefined && at >= this.timerAt) return;
    if (this.timer !== undefined) this.ep.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.ep.clock.setTimeout(() => this.onTimer(), t);
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.conn.onTimeout();
    this.afterIo();
    this.flush();
  }

  // ---- handshake and verification ----

  /** Server side: a resumed client is sending 0-RTT data and we agreed to serve it. */
  private earlyServer(): boolean {
    return (
      this.role === 'server' &&
      this.opts.acceptEarlyData &&
      this.conn.isInEarlyData() &&
      this.conn.isResumed()
    );
  }

  /**
   * Client side, right after the first flight of a resumed dial: if quiche is in early
   * data, verify the peer from the session and open at once (0-RTT).
   */
  openEarly(): boolean {
    if (this.role !== 'client' || this.state !== 'handshake' || !this.conn.isInEarlyData()) return false;
    this.early = true;
    this.onEstablished();
    return true;
  }

  private onEstablished(): void {
    this.peerCertificates = (this.conn.peerCertChain() ?? []).map((c) => new Uint8Array(c));
    this.resumed = this.conn.isResumed() || this.early;
    const hook = this.tls.verifyPeer;
    this.state = 'verifying';
    if (!hook) {
      this.onVerified();
      return;
    }
    let result: void | Promise<void>;
    try {
      result = hook({
        certificates: this.peerCertificates,
        remoteAddress: this.remoteAddress,
        role: this.role,
      });
    } catch (e) {
      this.refuse(e);
      return;
    }
    if (!(result instanceof Promise)) {
      this.onVerified();
      return;
    }
    result.then(
      () => this.onVerified(),
      (e: unknown) => this.refuse(e),
    );
  }

  private onVerified(): void {
    if (this.state !== 'verifying') return;
    if (this.role === 'server' || this.early) {
      this.becomeOpen();
    } else {
      this.state = 'confirming';
      if (!this.closing() && this.rx.acceptReceived()) this.becomeOpen();
    }
    this.ep.markDirty(this);
  }

  private becomeOpen(): void {
    this.state = 'open';
    if (this.opts.keepAliveMs > 0) this.keepAlive = new KeepAlive(this.ep, this, this.opts.keepAliveMs);
    if (this.role === 'server') {
      this.tx.sendAccept();
      this.ep.surface(this);
    }
    this.settleReady();
    this.afterIo();
  }

  private refuse(cause: unknown): void {
    if (this.state === 'closed') return;
    const info = refusedInfo(cause);
    // quiche sends the CONNECTION_CLOSE under the newest keys it has, which the peer can
    // only read once it got our last handshake flight: a server refusing during 0-RTT, or
    // a client refusing the server (its Finished is still queued). Send that flight first,
    // then the close right behind it, so the peer learns why instead of timing out.
    const flightFirst = this.role === 'client' || !this.conn.isEstablished();
    if (flightFirst) this.sendPackets();
    this.conn.close(false, info.code, enc.encode(info.reason.slice(0, 512)));
    this.ep.handshakeFailed();
    this.finish(info);
    if (flightFirst) this.sendPackets();
    this.ep.markDirty(this);
  }

  /** Dial timed out or was aborted before the connection became usable. */
  abandon(err: Error): void {
    if (this.state === 'closed') return;
    this.conn.close(true, 0, enc.encode('dial abandoned'));
    this.finish(abandonedInfo(err));
    this.ep.markDirty(this);
  }

  // ---- closing ----

  private onQuicheClosing(): void {
    const { info, handshakeFailed } = quicheCloseInfo(this.conn, this.state === 'open');
    if (handshakeFailed) this.ep.handshakeFailed();
    this.finish(info);
  }

  private finish(info: CloseInfo): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.keepAlive?.stop();
    const err = closedError(info);
    this.streams.connectionLost(err);
    this.incoming.close(err);
    this.dgrams.close(err);
    this.settleReady(info.error ?? err);
    this.resolveClosed(info.error ? info : { kind: info.kind, code: info.code, reason: info.reason });
  }

  private onQuicheClosed(): void {
    if (this.state !== 'closed') this.onQuicheClosing();
    if (this.released) return;
    this.released = true;
    if (this.timer !== undefined) this.ep.clock.clearTimeout(this.timer);
    this.ep.release(this);
  }

  /** Forget everything at once (endpoint abort / close): no packets, no timers. */
  destroy(info: CloseInfo): void {
    this.finish(info);
    if (this.timer !== undefined) this.ep.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.released = true;
  }

  async close(opts?: { code?: number; reason?: string }): Promise<void> {
    if (this.state === 'closed') {
      await this.closed;
      return;
    }
    const code = opts?.code ?? 0;
    const reason = opts?.reason ?? '';
    this.conn.close(true, code, enc.encode(reason));
    this.finish({ kind: 'local', code, reason });
    this.flush();
  }

  // ---- streams and datagrams ----

  async openStream(opts?: StreamOpenOptions): Promise<Stream> {
    if (this.state !== 'open') throw new ConnectionClosedError('Connection is not open');
    return withDeadline(this.ep.clock, opts, 'openStream', (signal) => this.tx.open({ ...opts, signal }));
  }

  acceptStream(opts?: AbortOptions): Promise<Stream> {
    return this.incoming.next(opts);
  }

  onStream(handler: (s: Stream) => unknown): () => void {
    return this.incoming.subscribe(handler);
  }

  sendDatagram(data: Uint8Array): boolean {
    if (this.state !== 'open' || !this.dgrams.send(data)) return false;
    this.ep.markDirty(this);
    return true;
  }

  receiveDatagram(opts?: AbortOptions): Promise<Uint8Array> {
    return this.dgrams.next(opts);
  }

  onDatagram(handler: (d: Uint8Array) => unknown): () => void {
    return this.dgrams.subscribe(handler);
  }

  stats(): ConnectionStats {
    const s = this.conn.stats();
    const path = this.conn.pathStats()[0];
    return {
      rttMs: path ? path.rtt : 0,
      bytesSent: s.sentBytes,
      bytesReceived: s.recvBytes,
      packetsSent: s.sent,
      packetsReceived: s.recv,
      packetsLost: s.lost,
      streamsOpened: this.tx.opened,
      streamsAccepted: this.rx.accepted,
      datagramsSent: this.dgrams.sent,
      datagramsReceived: this.dgrams.received,
      datagramsDropped: this.dgrams.dropped,
    };
  }
}
