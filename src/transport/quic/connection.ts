import { type AbortOptions, type Clock, type TimerHandle, withDeadline } from '../../runtime/index.js';
import {
  ConnectionClosedError,
  TLS_ALERT,
  TlsError,
  TransportError,
  TransportUsageError,
} from '../errors.js';
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
import type { ResolvedOptions } from './config.js';
import { isCryptoError, type QuicheConnection, quiche } from './native.js';
import { StreamTable } from './stream-table.js';

/** What a connection needs from its endpoint. */
export interface EndpointLink {
  readonly clock: Clock;
  readonly localAddress: Address;
  sendPacket(data: Uint8Array, to: Address): void;
  /** Run this connection's send loop at the end of the current I/O batch. */
  markDirty(c: QuicConnection): void;
  /** A server-side connection passed every check. */
  surface(c: QuicConnection): void;
  /** quiche is done with the connection: forget its connection ids. */
  release(c: QuicConnection): void;
  handshakeFailed(): void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
type State = 'handshake' | 'verifying' | 'confirming' | 'open' | 'closed';

/** One QUIC connection driven by hand over quiche's raw API. */
export class QuicConnection implements Connection {
  peerCertificates: readonly Uint8Array[] = [];
  resumed = false;
  /** A stored session ticket was offered on dial. */
  resumedFromCache = false;
  private state: State = 'handshake';
  private readonly streams: StreamTable;
  private readonly incoming: Inbox<Stream>;
  private readonly dgrams: Inbox<Uint8Array>;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private keepAlive: TimerHandle | undefined;
  private early = false;
  private lastRecvAt: number;
  private dgramsSent = 0;
  private dgramsReceived = 0;
  private dgramsDropped = 0;
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
    this.dgrams = new Inbox(opts.acceptQueueSize, ep.clock, 'receiveDatagram');
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
    if (this.state === 'open') this.streams.flushWrites();
    this.sendPackets();
    this.armTimer();
    if (this.conn.isClosed()) this.onQuicheClosed();
  }

  /** Drains every packet quiche has ready onto the socket. */
  private sendPackets(): void {
    for (;;) {
      const buf = Buffer.allocUnsafe(quiche.MAX_DATAGRAM_SIZE);
      let r: ReturnType<QuicheConnection['send']>;
      try {
        r = this.conn.send(buf);
      } catch {
        break;
      }
      if (r === null) break;
      this.ep.sendPacket(buf.subarray(0, r[0]), r[1].to);
    }
  }

  private afterIo(): void {
    if (this.state === 'handshake' && (this.conn.isEstablished() || this.earlyServer())) this.onEstablished();
    if (this.state === 'confirming' && !this.closing() && this.streams.acceptReceived()) this.becomeOpen();
    if (this.state === 'open') {
      this.streams.processReadable();
      this.drainDatagrams();
      this.streams.serveOpenWaiters();
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
      if (!this.closing() && this.streams.acceptReceived()) this.becomeOpen();
    }
    this.ep.markDirty(this);
  }

  private becomeOpen(): void {
    this.state = 'open';
    this.startKeepAlive();
    if (this.role === 'server') {
      this.streams.sendAccept();
      this.ep.surface(this);
    }
    this.settleReady();
    this.afterIo();
  }

  private refuse(cause: unknown): void {
    if (this.state === 'closed') return;
    const alert = TLS_ALERT.badCertificate;
    const reason = cause instanceof Error ? cause.message : String(cause);
    // Refusing before our handshake flight left (0-RTT): send it first, or the client
    // could not decrypt the CONNECTION_CLOSE and would only notice by idle timeout.
    if (!this.conn.isEstablished()) this.sendPackets();
    this.conn.close(false, quiche.CRYPTO_ERROR_START + alert, enc.encode(reason.slice(0, 512)));
    this.ep.handshakeFailed();
    const error = new TlsError(`Peer certificate refused: ${reason}`, 'local', alert, { cause });
    this.finish({ kind: 'error', code: quiche.CRYPTO_ERROR_START + alert, reason, error });
    this.ep.markDirty(this);
  }

  /** Dial timed out or was aborted before the connection became usable. */
  abandon(err: Error): void {
    if (this.state === 'closed') return;
    this.conn.close(true, 0, enc.encode('dial abandoned'));
    this.finish({
      kind: 'error',
      code: 0,
      reason: err.message,
      error: new TransportError('DIAL_ABANDONED', err.message, { cause: err }),
    });
    this.ep.markDirty(this);
  }

  // ---- closing ----

  private onQuicheClosing(): void {
    const peer = this.conn.peerError();
    const local = this.conn.localError();
    if (this.conn.isTimedOut()) {
      const err = new ConnectionClosedError('Connection idle timeout (peer unreachable)');
      const tooEarly = this.state !== 'open';
      if (tooEarly) this.ep.handshakeFailed();
      this.finish({ kind: 'idle', code: 0, reason: 'idle timeout', error: tooEarly ? err : undefined });
      return;
    }
    const e = peer ?? local;
    if (!e) {
      this.finish({ kind: 'error', code: 0, reason: 'connection closed' });
      return;
    }
    const reason = dec.decode(e.reason);
    if (!e.isApp && isCryptoError(e.errorCode)) {
      const side = peer ? 'remote' : 'local';
      const alert = e.errorCode - quiche.CRYPTO_ERROR_START;
      if (side === 'local') this.ep.handshakeFailed();
      const who = side === 'remote' ? 'Peer refused our certificate' : 'Peer certificate refused';
      const error = new TlsError(`${who} (TLS alert ${alert}${reason ? `: ${reason}` : ''})`, side, alert);
      this.finish({ kind: 'error', code: e.errorCode, reason, error });
      return;
    }
    if (peer?.isApp) {
      this.finish({ kind: 'remote', code: peer.errorCode, reason });
      return;
    }
    const error = new TransportError(
      'QUIC_ERROR',
      `QUIC ${peer ? 'peer' : 'local'} error ${e.errorCode}: ${reason}`,
    );
    this.finish({ kind: peer ? 'remote' : 'error', code: e.errorCode, reason, error });
  }

  private finish(info: CloseInfo): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.keepAlive !== undefined) this.ep.clock.clearTimeout(this.keepAlive);
    const err = new ConnectionClosedError(
      `Connection closed (${info.kind}, code ${info.code}${info.reason ? `: ${info.reason}` : ''})`,
      info.code,
      { cause: info.error },
    );
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

  // ---- keep-alive ----

  private startKeepAlive(): void {
    const every = this.opts.keepAliveMs;
    if (every <= 0) return;
    const tick = () => {
      if (this.state !== 'open') return;
      if (this.ep.clock.now() - this.lastRecvAt >= every * 0.9) {
        this.conn.sendAckEliciting();
        this.ep.markDirty(this);
      }
      this.keepAlive = this.ep.clock.setTimeout(tick, every);
    };
    this.keepAlive = this.ep.clock.setTimeout(tick, every);
  }

  // ---- streams ----

  async openStream(opts?: StreamOpenOptions): Promise<Stream> {
    if (this.state !== 'open') throw new ConnectionClosedError('Connection is not open');
    return withDeadline(this.ep.clock, opts, 'openStream', (signal) =>
      this.streams.open({ ...opts, signal }),
    );
  }

  acceptStream(opts?: AbortOptions): Promise<Stream> {
    return this.incoming.next(opts);
  }

  onStream(handler: (s: Stream) => void): () => void {
    return this.incoming.subscribe(handler);
  }

  // ---- datagrams ----

  sendDatagram(data: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    const max = this.conn.dgramMaxWritableLen() ?? 0;
    if (data.byteLength > max)
      throw new TransportUsageError(`Datagram of ${data.byteLength} bytes exceeds the maximum of ${max}`);
    if (this.conn.isDgramSendQueueFull()) {
      this.dgramsDropped++;
      return false;
    }
    this.conn.dgramSend(data);
    this.dgramsSent++;
    this.ep.markDirty(this);
    return true;
  }

  receiveDatagram(opts?: AbortOptions): Promise<Uint8Array> {
    return this.dgrams.next(opts);
  }

  onDatagram(handler: (d: Uint8Array) => void): () => void {
    return this.dgrams.subscribe(handler);
  }

  private drainDatagrams(): void {
    for (let d = this.conn.dgramRecvVec(); d !== null; d = this.conn.dgramRecvVec()) {
      this.dgramsReceived++;
      if (!this.dgrams.push(new Uint8Array(d))) this.dgramsDropped++;
    }
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
      streamsOpened: this.streams.opened,
      streamsAccepted: this.streams.accepted,
      datagramsSent: this.dgramsSent,
      datagramsReceived: this.dgramsReceived,
      datagramsDropped: this.dgramsDropped,
    };
  }
}
