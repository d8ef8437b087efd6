// Receive path of an endpoint: classifies every UDP datagram on the socket. Non-QUIC
// datagrams (STUN, hole punching) go to the onRaw handlers, QUIC packets to their
// connection by destination connection id, and a new client Initial through the
// checks that decide whether it may create connection state.

import { randomBytes } from 'node:crypto';
import { TimeoutError } from '../../core/index.js';
import { reportHandshakeError } from '../handshake-error.js';
import type { Address, EndpointOptions, EndpointStats, TlsOptions } from '../types.js';
import type { Admission } from './admission.js';
import { CID_LEN, type CidRegistry, cidKey } from './cid-registry.js';
import type { ResolvedOptions } from './config.js';
import { QuicConnection } from './connection.js';
import type { EndpointLink } from './endpoint-link.js';
import { PacketType, type QuicheConfig, quiche } from './native.js';

export type RawHandler = (data: Uint8Array, from: Address) => void;

export class PacketRouter {
  private readonly byCid: Map<string, QuicConnection>;

  constructor(
    /** The endpoint: new connections talk to it, replies leave through it. */
    private readonly ep: EndpointLink,
    private readonly registry: CidRegistry,
    private readonly counters: EndpointStats,
    private readonly rawHandlers: ReadonlySet<RawHandler>,
    private readonly admission: Admission,
    private readonly opts: ResolvedOptions,
    private readonly config: QuicheConfig,
    private readonly tls: TlsOptions,
    /** False once the endpoint is closing: new Initials are then ignored. */
    private readonly isOpen: () => boolean,
    private readonly onHandshakeError: EndpointOptions['onHandshakeError'],
  ) {
    this.byCid = registry.byCid;
  }

  /** One UDP datagram from the socket. */
  onPacket(msg: Buffer, from: Address): void {
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
    if (hdr.ty !== PacketType.Initial || !this.opts.acceptIncoming || !this.isOpen()) {
      return void c.dropped.unknownConnection++;
    }
    if (!quiche.versionIsSupported(hdr.version)) {
      this.negotiateVersion(hdr.scid, hdr.dcid, from);
      return;
    }
    // RFC 9000 §14.1: a client's Initial is padded to 1200 bytes; smaller ones are not worth state.
    if (msg.length < quiche.MIN_CLIENT_INITIAL_LEN) return void c.dropped.malformed++;
    if (this.registry.size >= this.opts.maxConnections) return void c.dropped.overCapacity++;
    const verdict = this.admission.check(from.host);
    if (verdict !== 'ok') return void c.dropped[verdict]++;
    const scid = randomBytes(CID_LEN);
    const qc = quiche.Connection.accept(scid, null, this.ep.localAddress, from, this.config);
    const conn = new QuicConnection(this.ep, qc, scid.toString('hex'), 'server', from, this.opts, this.tls);
    this.registry.register(conn, [cidKey(scid), cidKey(hdr.dcid)]);
    conn.recv(msg, from);
    if (qc.stats().recv === 0) {
      // Nothing in it decrypted: a forged Initial. Forget it before it costs anything.
      this.ep.release(conn);
      return void c.dropped.malformed++;
    }
    this.admission.halfOpen++;
    const timer = this.ep.clock.setTimeout(
      () => conn.abandon(new TimeoutError('handshake timed out')),
      this.opts.dialTimeoutMs,
    );
    const done = () => {
      this.admission.halfOpen--;
      this.ep.clock.clearTimeout(timer);
    };
    conn.ready.then(done, (e: unknown) => {
      done();
      reportHandshakeError(this.onHandshakeError, from, e);
    });
  }

  private negotiateVersion(scid: Uint8Array, dcid: Uint8Array, to: Address): void {
    if (this.admission.check(to.host) !== 'ok') return void this.counters.dropped.rateLimited++;
    const out = Buffer.allocUnsafe(quiche.MAX_DATAGRAM_SIZE);
    const n = quiche.negotiateVersion(scid, dcid, out);
    this.ep.sendPacket(out.subarray(0, n), to);
  }
}
