/** Errors, counters, events and reset codes of persistent peer channels (see channels.ts). */
import { MaculaError } from '../core/index.js';

/** Why a channel operation failed. */
export type ChannelErrorCode =
  /** The channel's stream or connection went away, or the channels were closed. */
  'CHANNEL_CLOSED';

/** A channel operation failed; `cause` holds the transport error when there is one. */
export class ChannelError extends MaculaError {
  declare readonly code: ChannelErrorCode;
  constructor(code: ChannelErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Stream reset codes a channel uses (HTTP/3-like application codes). */
export const ChannelResetCode = {
  /** The receiver read a malformed frame (H3_GENERAL_PROTOCOL_ERROR). */
  MALFORMED: 0x101,
  /** The opening `CHANNEL` frame was not one this build speaks (as REQUEST_REJECTED). */
  REFUSED: 0x10b,
  /** A side dropped the channel: peer gone, connection replaced, shutting down (REQUEST_CANCELLED). */
  CANCELLED: 0x10c,
} as const;

/** Counters of {@link PeerChannels}, since it was created. */
export interface ChannelStats {
  /** Frames and bytes (headers included) handed to channel streams, and the writes that carried them. */
  framesSent: number;
  bytesSent: number;
  batches: number;
  /** Frames decoded on incoming channels, and the bytes read. */
  framesReceived: number;
  bytesReceived: number;
  /** Outbound channels opened / incoming channels accepted. */
  opened: number;
  accepted: number;
  /** Channels live now, per direction. */
  openOut: number;
  openIn: number;
  /** Sends that had to wait for room, and trySend calls refused because the queue was full. */
  waits: number;
  full: number;
  /** Handler calls that threw or rejected (the channel carries on). */
  handlerErrors: number;
  dropped: {
    /** Frames received of a type nobody handles. */
    unknownType: number;
    /** Incoming channel streams reset because a frame was malformed. */
    malformed: number;
    /** Incoming streams refused because the opening frame was not `{ v: 1 }`. */
    badOpen: number;
    /** Queued frames never written because their channel closed. */
    closed: number;
  };
}

/** A new, zeroed {@link ChannelStats}. */
export function emptyChannelStats(): ChannelStats {
  return {
    framesSent: 0,
    bytesSent: 0,
    batches: 0,
    framesReceived: 0,
    bytesReceived: 0,
    opened: 0,
    accepted: 0,
    openOut: 0,
    openIn: 0,
    waits: 0,
    full: 0,
    handlerErrors: 0,
    dropped: { unknownType: 0, malformed: 0, badOpen: 0, closed: 0 },
  };
}

/** Events of {@link PeerChannels}. */
export interface ChannelEvents {
  /** A channel started: `out` = we opened it, `in` = the peer did. */
  open: { peerId: string; direction: 'in' | 'out' };
  /** A channel ended; `reason` is for logs, `cause` the stream's error when it failed. */
  closed: { peerId: string; direction: 'in' | 'out'; reason: string; cause?: unknown };
  /** A send to `peerId` started waiting for room (the peer's queue is full). */
  full: { peerId: string };
}
