import { MaculaError } from '../core/index.js';

/**
 * Why a frame was refused. Every one of these desynchronises a stream: a
 * {@link FrameDecoder} that threw one is unusable afterwards.
 */
export type ProtocolErrorCode =
  /** The version byte is not one this build speaks. */
  | 'BAD_VERSION'
  /** The type byte is neither a known type nor in a reserved range. */
  | 'UNKNOWN_TYPE'
  /** A flag bit this version does not define is set. */
  | 'BAD_FLAGS'
  /** The payload (declared, decompressed, or to be encoded) exceeds the size limit. */
  | 'FRAME_TOO_LARGE'
  /** The payload is not exactly one MessagePack value (or cannot be encoded as one). */
  | 'BAD_PAYLOAD'
  /** The compressed flag is set but the payload is not a valid raw deflate stream. */
  | 'DECOMPRESS_FAILED'
  /** The fragmented flag is set; fragmentation is reserved and not implemented yet. */
  | 'FRAGMENTED_UNSUPPORTED';

/** A frame violated the wire protocol (see docs/wire-protocol.md). */
export class ProtocolError extends MaculaError {
  declare readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Wraps anything thrown by a codec (msgpackr, zlib) so callers only ever see ProtocolError. */
export function asProtocolError(e: unknown, code: ProtocolErrorCode, what: string): ProtocolError {
  if (e instanceof ProtocolError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new ProtocolError(code, `${what}: ${detail}`, { cause: e });
}
