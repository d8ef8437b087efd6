import type { Address, EndpointStats } from '../types.js';
import {
  addressKey,
  type Frame,
  frameSize,
  MAX_PACKET_PAYLOAD,
  PACKET_OVERHEAD,
  type Packet,
  type PacketOwner,
} from './packets.js';
import type { FrameSink } from './stream-flow.js';
import type { Wire } from './wire.js';

/** Packet counters of one connection (the ConnectionStats fields it owns). */
export interface IoCounters {
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
}

/** Frame overhead reserved when telling the stream layer how much payload still fits. */
const DATA_FRAME_OVERHEAD = 8;

/**
 * The packet layer of one connection: packs frames into packets, numbers reliable
 * ones, and on receipt hands frames over in sequence order (buffering packets that
 * jitter or retransmission reordered), like a QUIC connection's single crypto/stream
 * ordering collapsed into one sequence.
 */
export class ConnIO implements PacketOwner, FrameSink {
  private sendSeq = 0;
  private recvSeq = 0;
  private reorder: Map<number, Packet> | undefined;
  private frames: Frame[] = [];
  private size = 0;
  private readonly dstKey: string;
  readonly counters: IoCounters = {
    bytesSent: 0,
    bytesReceived: 0,
    packetsSent: 0,
    packetsReceived: 0,
    packetsLost: 0,
  };
  /** How long a reliable packet is retransmitted before the sender gives up. */
  expiryMs: number;

  constructor(
    private readonly wire: Wire,
    private readonly from: Address,
    private readonly to: Address,
    /** Our connection's routing key at the peer's endpoint. */
    private readonly peerRoute: number,
    private readonly endpoint: { readonly counters: EndpointStats; readonly dead: boolean },
    private readonly conn: { onFrame(f: Frame): void },
    expiryMs: number,
  ) {
    this.dstKey = addressKey(to);
    this.expiryMs = expiryMs;
  }

  get dead(): boolean {
    return this.endpoint.dead;
  }

  // ---- sending ----

  /** Frames are waiting to be cut into a packet. */
  get pending(): boolean {
    return this.frames.length > 0;
  }

  room(): number {
    return MAX_PACKET_PAYLOAD - this.size - DATA_FRAME_OVERHEAD;
  }

  add(f: Frame): void {
    const n = frameSize(f);
    if (this.size > 0 && this.size + n > MAX_PACKET_PAYLOAD) this.cut();
    this.frames.push(f);
    this.size += n;
  }

  /** Sends the reliable frames gathered so far as one packet. */
  cut(): void {
    if (this.frames.length === 0) return;
    this.emit(this.sendSeq++, this.frames, this.size);
    this.frames = [];
    this.size = 0;
  }

  /** Sends one frame on its own, unnumbered: lost for good if the network loses it. */
  sendUnreliable(f: Frame): void {
    this.emit(-1, [f], frameSize(f));
  }

  private emit(seq: number, frames: Frame[], size: number): void {
    this.wire.send({
      from: this.from,
      dstHost: this.to.host,
      dstKey: this.dstKey,
      route: this.peerRoute,
      seq,
      frames,
      size: size + PACKET_OVERHEAD,
      owner: this,
      expiresAt: this.wire.clock.now() + this.expiryMs,
      attempts: 0,
    });
  }

  packetSent(p: Packet): void {
    this.counters.packetsSent++;
    this.counters.bytesSent += p.size;
    this.endpoint.counters.packetsSent++;
    this.endpoint.counters.bytesSent += p.size;
  }

  packetLost(): void {
    this.counters.packetsLost++;
  }

  // ---- receiving ----

  /** Takes a packet for this connection; frames reach `onFrame` in sequence order. */
  receive(p: Packet): void {
    this.counters.packetsReceived++;
    this.counters.bytesReceived += p.size;
    if (p.seq < 0) {
      for (const f of p.frames) this.conn.onFrame(f);
      return;
    }
    if (p.seq < this.recvSeq) return;
    if (p.seq > this.recvSeq) {
      this.reorder ??= new Map();
      this.reorder.set(p.seq, p);
      return;
    }
    this.recvSeq++;
    for (const f of p.frames) this.conn.onFrame(f);
    while (this.reorder && this.reorder.size > 0) {
      const next = this.reorder.get(this.recvSeq);
      if (!next) return;
      this.reorder.delete(this.recvSeq);
      this.recvSeq++;
      for (const f of next.frames) this.conn.onFrame(f);
    }
  }
}
