/** Frame layout constants and the frame type registry (see docs/wire-protocol.md). */

/** The wire protocol version this build speaks (header byte 0). */
export const PROTOCOL_VERSION = 1;

/** Header size in bytes: version, type, flags (u16 BE), payload length (u32 BE). */
export const HEADER_SIZE = 8;

/** Hard ceiling on a frame's payload (16 MiB); configured limits can only be lower. */
export const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;

/** Flag bits (header bytes 2–3, big-endian). Every other bit must be 0. */
export const FrameFlags = {
  /** The payload is raw deflate (RFC 1951) of the MessagePack bytes. */
  COMPRESSED: 0x0001,
  /** Reserved for fragmentation; decoders reject it until it is specified. */
  FRAGMENTED: 0x0002,
} as const;

/** Bits of the flags field this version defines. */
export const KNOWN_FLAGS = FrameFlags.COMPRESSED | FrameFlags.FRAGMENTED;

/** Frame types this version defines. */
export const FrameType = {
  // control 0x01–0x0F
  HANDSHAKE: 0x01,
  HANDSHAKE_ACK: 0x02,
  HEARTBEAT: 0x03,
  PING: 0x04,
  PONG: 0x05,
  ERROR: 0x06,
  CLOSE: 0x07,
  /** Opens a persistent one-way message channel on a stream (payload `{ v: 1 }`); frames of any type follow. */
  CHANNEL: 0x08,
  /** On a peer channel: `[id, type, payload]`, a request answered by the handler of `type`. */
  REQUEST: 0x09,
  /** On a peer channel: `[id, value]`, the answer to REQUEST `id`. */
  REPLY: 0x0a,
  /** On a peer channel: `[id, code, message]`, REQUEST `id` could not be answered. */
  REPLY_ERROR: 0x0b,
  // pub/sub 0x10–0x1F
  PUBLISH: 0x10,
  SUBSCRIBE: 0x11,
  UNSUBSCRIBE: 0x12,
  EVENT: 0x13,
  /** Acknowledges at-least-once PUBLISH frames on a channel (payload `{ s: seq[] }`). */
  PUBACK: 0x14,
  // rpc 0x20–0x2F
  RPC_CALL: 0x20,
  RPC_RESULT: 0x21,
  RPC_ERROR: 0x22,
  RPC_CAST: 0x23,
  // membership 0x30–0x3F (SWIM datagrams travel outside frames, as raw UDP)
  MEMBERSHIP_SYNC: 0x30,
  MEMBERSHIP_SYNC_REPLY: 0x31,
  // routing 0x40–0x4F (stream request/reply: the reply is the request type + 1)
  FIND_NODE: 0x40,
  FIND_NODE_REPLY: 0x41,
  ROUTE: 0x42,
  ROUTE_ACK: 0x43,
  // DHT 0x50–0x5F
  DHT_STORE: 0x50,
  DHT_STORE_REPLY: 0x51,
  DHT_FIND_VALUE: 0x52,
  DHT_FIND_VALUE_REPLY: 0x53,
  /** One-way, on a peer channel: `{ k: key }` — records under a key this node read recently changed. */
  DHT_CHANGED: 0x54,
} as const;

/** One of the {@link FrameType} values. */
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** An inclusive range of type bytes. */
export interface TypeRange {
  readonly first: number;
  readonly last: number;
}

/** Ranges whose types are defined by this version (unassigned values inside are errors). */
export const DefinedRanges = {
  CONTROL: { first: 0x01, last: 0x0f },
  PUBSUB: { first: 0x10, last: 0x1f },
  RPC: { first: 0x20, last: 0x2f },
  MEMBERSHIP: { first: 0x30, last: 0x3f },
  ROUTING: { first: 0x40, last: 0x4f },
  DHT: { first: 0x50, last: 0x5f },
} as const satisfies Record<string, TypeRange>;

/**
 * Ranges reserved for layers not written yet. Frames with these types decode normally
 * and are handed up, so a layer can register handlers without a protocol change.
 */
export const ReservedRanges = {
  NAT: { first: 0x60, last: 0x6f },
  GATEWAY: { first: 0x70, last: 0x7f },
  EXPERIMENTAL: { first: 0xf0, last: 0xff },
} as const satisfies Record<string, TypeRange>;

/** A decoded frame. `flags` is as received (the compressed bit may be set). */
export interface Frame {
  version: number;
  type: number;
  flags: number;
  payload: unknown;
}

const NAMES = new Map<number, string>(Object.entries(FrameType).map(([name, value]) => [value, name]));

// 0 = unknown, 1 = defined, 2 = reserved: one array lookup on the hot path.
const TYPE_CLASS = new Uint8Array(256);
for (const value of NAMES.keys()) TYPE_CLASS[value] = 1;
for (const { first, last } of Object.values(ReservedRanges)) TYPE_CLASS.fill(2, first, last + 1);

/** How a type byte is treated: `defined` and `reserved` are accepted, `unknown` is a protocol error. */
export function typeClass(type: number): 'defined' | 'reserved' | 'unknown' {
  const c = Number.isInteger(type) && type >= 0 && type <= 0xff ? TYPE_CLASS[type] : 0;
  return c === 1 ? 'defined' : c === 2 ? 'reserved' : 'unknown';
}

/** True when a frame of this type is accepted (defined or in a reserved range). */
export function isAcceptedType(type: number): boolean {
  return Number.isInteger(type) && type >= 0 && type <= 0xff && TYPE_CLASS[type] !== 0;
}

/** Name of a type for logs: `PUBLISH`, `RESERVED_NAT(0x61)`, or `UNKNOWN(0x99)`. */
export function frameTypeName(type: number): string {
  const name = NAMES.get(type);
  if (name !== undefined) return name;
  const hex = `0x${(type & 0xff).toString(16).padStart(2, '0')}`;
  for (const [range, { first, last }] of Object.entries(ReservedRanges)) {
    if (type >= first && type <= last) return `RESERVED_${range}(${hex})`;
  }
  return `UNKNOWN(${hex})`;
}
