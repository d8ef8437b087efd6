import type { Address } from '../types.js';

/** Connection parameters each side announces in its handshake frame. */
export interface PeerParams {
  /** The sender's stream high-water mark: the initial credit we may send on each stream. */
  window: number;
  /** Streams of each kind the sender lets us have open towards it. */
  maxStreams: number;
  idleTimeoutMs: number;
}

/** What a packet carries. Everything but `dgram`, `ping`, `pong` and `raw` travels reliably and in order. */
export type Frame =
  | { t: 'hello'; chain: readonly Uint8Array[]; params: PeerParams }
  | { t: 'accept'; chain: readonly Uint8Array[]; params: PeerParams }
  | { t: 'confirm' }
  | { t: 'reject'; alert: number; reason: string }
  | { t: 'open'; id: number }
  | { t: 'data'; id: number; data: Uint8Array | undefined; fin: boolean }
  | { t: 'credit'; id: number; max: number }
  | { t: 'reset'; id: number; code: number }
  | { t: 'limits'; bidi: number; uni: number }
  | { t: 'close'; code: number; reason: string }
  | { t: 'dgram'; data: Uint8Array }
  | { t: 'ping'; sentAt: number }
  | { t: 'pong'; sentAt: number }
  | { t: 'raw'; data: Uint8Array };

/** Who sent a packet: told when the network transmits or loses it, asked whether it still exists. */
export interface PacketOwner {
  packetSent(p: Packet): void;
  packetLost(p: Packet): void;
  /** True once the sender's process is gone (crashed): its packets are no longer retransmitted. */
  readonly dead: boolean;
}

/** One packet on the simulated wire. Immutable except for the retransmission bookkeeping. */
export interface Packet {
  readonly from: Address;
  readonly dstHost: string;
  /** `host:port` of the destination, looked up on delivery. */
  readonly dstKey: string;
  /** Connection routing key at the receiver ({@link routeKey}), or -1 for a raw datagram. */
  readonly route: number;
  /** Position in the connection's reliable sequence, or -1 for unreliable packets. */
  readonly seq: number;
  readonly frames: readonly Frame[];
  /** Bytes on the wire, headers included (for bandwidth and statistics). */
  readonly size: number;
  readonly owner: PacketOwner;
  /** Reliable packets stop being retransmitted after this instant. */
  expiresAt: number;
  attempts: number;
}

/** Approximate IP + UDP + QUIC short header overhead per packet. */
export const PACKET_OVERHEAD = 48;
/** Largest stream payload batched into one simulated packet (bigger than an MTU: fewer timers). */
export const MAX_PACKET_PAYLOAD = 16 * 1024;
/** Largest datagram payload, like a QUIC DATAGRAM frame in a 1280-byte path. */
export const MAX_DATAGRAM_SIZE = 1200;
const FRAME_OVERHEAD = 8;

/** Bytes a frame takes on the wire. */
export function frameSize(f: Frame): number {
  switch (f.t) {
    case 'hello':
    case 'accept':
      return FRAME_OVERHEAD + 16 + f.chain.reduce((n, c) => n + c.byteLength, 0);
    case 'reject':
    case 'close':
      return FRAME_OVERHEAD + f.reason.length;
    case 'data':
      return FRAME_OVERHEAD + (f.data?.byteLength ?? 0);
    case 'dgram':
    case 'raw':
      return FRAME_OVERHEAD + f.data.byteLength;
    default:
      return FRAME_OVERHEAD;
  }
}

/** Routing key of a connection at an endpoint: both roles of a self-dial can share one endpoint. */
export function routeKey(connNumber: number, role: 'client' | 'server'): number {
  return connNumber * 2 + (role === 'server' ? 1 : 0);
}

export function addressKey(a: Address): string {
  return `${a.host}:${a.port}`;
}
