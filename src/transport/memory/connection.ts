import type { AbortOptions, Clock } from '../../runtime/index.js';
import { ConnectionClosedError, type TlsError, type TransportError } from '../errors.js';
import { reportHandshakeError } from '../handshake-error.js';
import { Inbox } from '../inbox.js';
import type { Address, CloseInfo, Connection, ConnectionStats, Stream, StreamOpenOptions } from '../types.js';
import { DatagramChannel } from './conn-datagrams.js';
import { Handshake, type HandshakeEnv, type HandshakeHooks } from './conn-handshake.js';
import { ConnIO } from './conn-io.js';
import { LazyOutcome } from './lazy-outcome.js';
import { Liveness } from './liveness.js';
import type { ResolvedEndpointOptions } from './options.js';
import { type Frame, MAX_DATAGRAM_SIZE, type Packet, type PeerParams, routeKey } from './packets.js';
import { StreamSet } from './streams.js';
import type { Wire } from './wire.js';

/** Endpoint settings and hooks a connection works with. */
export interface ConnectionEnv extends HandshakeEnv {
  readonly wire: Wire;
  readonly address: Address;
  readonly opts: ResolvedEndpointOptions;
  /** The endpoint crashed: nothing it owns may send any more. */
  readonly dead: boolean;
  /** Both certificate checks passed. */
  established(conn: MemoryConnection): void;
  /** The connection is over; forget it. */
  gone(conn: MemoryConnection): void;
}

/** A connection on the in-memory network; behaves like the QUIC one as far as the contract can tell. */
export class MemoryConnection implements Connection, HandshakeHooks {
  readonly id: string;
  readonly resumed = false;
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  /** Routing key of this connection at its own endpoint. */
  readonly route: number;
  /** Client: settles when the handshake is done (resolves) or failed (rejects). */
  readonly established: Promise<void> | undefined;
  peerCertificates: readonly Uint8Array[] = [];
  state: 'handshake' | 'open' | 'closed' = 'handshake';
  private readonly io: ConnIO;
  private readonly streams: StreamSet;
  private readonly idle: Liveness;
  /** Until the handshake is over. */
  private handshake: Handshake | undefined;
  private readonly streamInbox: Inbox<Stream>;
  private readonly datagrams: DatagramChannel;
  private readonly outcome = new LazyOutcome<CloseInfo>();
  private dial: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private flushQueued = false;

  constructor(
    private readonly env: ConnectionEnv,
    readonly role: 'client' | 'server',
    connNumber: number,
    remoteAddress: Address,
  ) {
    const { opts, wire } = env;
    this.id = `mem-${connNumber}-${role}`;
    this.localAddress = { ...env.address };
    this.remoteAddress = { ...remoteAddress };
    this.route = routeKey(connNumber, role);
    const idleMs = opts.params.idleTimeoutMs;
    const peerRoute = routeKey(connNumber, role === 'client' ? 'server' : 'client');
    this.io = new ConnIO(wire, env.address, this.remoteAddress, peerRoute, env, this, idleMs);
    this.streams = new StreamSet(this, opts.highWaterMark, opts.params.maxStreams);
    // A dialing client is bounded by the dial timeout, not the idle timeout (as QUIC's is by its handshake).
    const handshakeIdle = role === 'client' ? Number.POSITIVE_INFINITY : idleMs;
    const keepAlive = role === 'client' ? 0 : (opts.keepAliveMs ?? idleMs / 3);
    this.idle = new Liveness(wire.clock, handshakeIdle, keepAlive, this, this.io);
    this.streamInbox = new Inbox(opts.acceptQueueSize, wire.clock, 'acceptStream');
    this.datagrams = new DatagramChannel(opts.acceptQueueSize, wire.clock);
    if (role === 'client') {
      this.established = new Promise((resolve, reject) => {
        this.dial = { resolve, reject };
      });
    }
    this.handshake = new Handshake(env, role, this.remoteAddress, wire.clock, this);
  }

  get closed(): Promise<CloseInfo> {
    return this.outcome.promise;
  }

  get clock(): Clock {
    return this.env.wire.clock;
  }

  get maxDatagramSize(): number {
    return this.state === 'open' ? MAX_DATAGRAM_SIZE : 0;
  }

  openStream(opts?: StreamOpenOptions): Promise<Stream> {
    if (this.state !== 'open')
      return Promise.reject(new ConnectionClosedError('openStream: connection is closed'));
    return this.streams.open(opts?.unidirectional === true, opts);
  }

  acceptStream(opts?: AbortOptions): Promise<Stream> {
    return this.streamInbox.next(opts);
  }

  onStream(handler: (stream: Stream) => unknown): () => void {
    return this.streamInbox.subscribe(handler);
  }

  sendDatagram(data: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    const copy = this.datagrams.prepare(data);
    this.idle.sent();
    this.io.sendUnreliable({ t: 'dgram', data: copy });
    return true;
  }

  receiveDatagram(opts?: AbortOptions): Promise<Uint8Array> {
    return this.datagrams.next(opts);
  }

  onDatagram(handler: (data: Uint8Array) => unknown): () => void {
    return this.datagrams.subscribe(handler);
  }

  stats(): ConnectionStats {
    const d = this.datagrams;
    return {
      rttMs: this.idle.rttMs,
      ...this.io.counters,
      streamsOpened: this.streams.opened,
      streamsAccepted: this.streams.accepted,
      datagramsSent: d.sent,
      datagramsReceived: d.received,
      datagramsDropped: d.dropped,
    };
  }

  async close(opts?: { code?: number; reason?: string }): Promise<void> {
    if (this.state === 'closed') return;
    const code = opts?.code ?? 0;
    const reason = opts?.reason ?? '';
    this.flush(); // data written before close() still goes out ahead of the close
    this.sendFrame({ t: 'close', code, reason });
    this.teardown({ kind: 'local', code, reason });
  }

  // ---- endpoint side ----

  /** A packet for this connection arrived. */
  receive(p: Packet): void {
    if (this.state === 'closed') return;
    this.idle.touch();
    this.io.receive(p);
  }

  /** The endpoint vanished: stop without a word to the peer. */
  crash(error: TransportError): void {
    this.teardown({ kind: 'error', code: 0, reason: 'endpoint crashed', error });
  }

  /** @internal A frame arrived, in order for reliable ones. */
  onFrame(f: Frame): void {
    if (this.state === 'closed' || this.handshake?.onFrame(f)) return;
    switch (f.t) {
      case 'close':
        this.teardown({ kind: 'remote', code: f.code, reason: f.reason });
        break;
      case 'dgram':
        this.datagrams.arrived(f.data, this.state === 'open');
        break;
      case 'ping':
        this.idle.pinged(f.sentAt);
        break;
      case 'pong':
        this.idle.rttSample(f.sentAt);
        break;
      default:
        if (this.state === 'open') this.streams.onFrame(f);
    }
  }

  // ---- StreamHost ----

  /** @internal Streams have frames to send: flush once the current synchronous work is done. */
  wake(): void {
    if (this.flushQueued || this.state !== 'open') return;
    this.flushQueued = true;
    this.env.wire.defer(this);
  }

  /** @internal */
  incoming(s: Stream): boolean {
    return this.streamInbox.push(s);
  }

  /** @internal */
  refused(): void {
    this.env.counters.dropped.overCapacity++;
  }

  /** @internal Runs the flush {@link wake} deferred. */
  deferred(): void {
    this.flushQueued = false;
    this.flush();
  }

  /** @internal The peer went silent for the idle timeout. */
  idleTimeout(): void {
    this.teardown({ kind: 'idle', code: 0, reason: 'idle timeout' });
  }

  // ---- HandshakeHooks ----

  /** @internal Sends one reliable frame now. */
  sendFrame(f: Frame): void {
    this.io.add(f);
    this.io.cut();
  }

  /** @internal */
  handshakeDone(chain: readonly Uint8Array[], peer: PeerParams): void {
    if (this.state !== 'handshake') return;
    this.handshake = undefined;
    this.state = 'open';
    this.peerCertificates = chain;
    // Like QUIC, the shorter of the two idle timeouts applies.
    const idleMs = Math.min(this.env.opts.params.idleTimeoutMs, peer.idleTimeoutMs);
    this.idle.configure(idleMs, this.env.opts.keepAliveMs ?? idleMs / 3);
    this.io.expiryMs = idleMs;
    this.streams.start(peer.window, peer.maxStreams);
    this.env.established(this);
    this.dial?.resolve();
    this.dial = undefined;
  }

  /** @internal */
  handshakeFailed(err: TlsError): void {
    this.teardown({ kind: 'error', code: 0x100 + err.alert, reason: err.message, error: err }, err);
    if (this.role === 'server') reportHandshakeError(this.env.opts.onHandshakeError, this.remoteAddress, err);
  }

  /** @internal */
  rttSample(sentAt: number): void {
    this.idle.rttSample(sentAt);
  }

  private flush(): void {
    if (this.state !== 'open') return;
    this.streams.collect(this.io);
    if (!this.io.pending) return;
    this.idle.sent();
    this.io.cut();
  }

  /** Ends the connection locally, whatever the reason; sends nothing. */
  private teardown(info: CloseInfo, dialError?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.idle.stop();
    this.handshake?.abandon();
    this.handshake = undefined;
    const detail = info.reason ? `: ${info.reason}` : '';
    const msg = `Connection closed (${info.kind}, code ${info.code})${detail}`;
    const err = new ConnectionClosedError(msg, info.code, { cause: info.error });
    this.streams.fail(err);
    this.streamInbox.close(err);
    this.datagrams.close(err);
    this.dial?.reject(dialError ?? err);
    this.dial = undefined;
    this.env.gone(this);
    this.outcome.settle(info);
  }
}
