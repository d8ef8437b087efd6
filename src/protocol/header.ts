/** Reading and writing the 8-byte frame header, and the checks made before any payload is buffered. */
import { MaculaError } from '../core/index.js';
import { ProtocolError } from './errors.js';
import { FrameFlags, isAcceptedType, KNOWN_FLAGS, MAX_FRAME_PAYLOAD, PROTOCOL_VERSION } from './types.js';

/** A validated header. */
export interface FrameHeader {
  version: number;
  type: number;
  flags: number;
  /** Payload length in bytes, as on the wire (compressed size when compressed). */
  length: number;
}

/** Resolves a configured payload limit: default and ceiling {@link MAX_FRAME_PAYLOAD}. */
export function resolveLimit(maxFrameSize: number | undefined, who: string): number {
  if (maxFrameSize === undefined) return MAX_FRAME_PAYLOAD;
  if (!Number.isInteger(maxFrameSize) || maxFrameSize < 1 || maxFrameSize > MAX_FRAME_PAYLOAD) {
    throw new MaculaError(
      'INVALID_OPTION',
      `${who}: maxFrameSize must be an integer in 1..${MAX_FRAME_PAYLOAD}, got ${maxFrameSize}`,
    );
  }
  return maxFrameSize;
}

/** Writes a header at `offset` (caller guarantees 8 bytes of room and valid fields). */
export function writeHeader(
  out: Uint8Array,
  offset: number,
  type: number,
  flags: number,
  length: number,
): void {
  out[offset] = PROTOCOL_VERSION;
  out[offset + 1] = type;
  out[offset + 2] = flags >>> 8;
  out[offset + 3] = flags & 0xff;
  out[offset + 4] = length >>> 24;
  out[offset + 5] = (length >>> 16) & 0xff;
  out[offset + 6] = (length >>> 8) & 0xff;
  out[offset + 7] = length & 0xff;
}

/**
 * Reads and validates the header at `src[offset, offset + 8)`. Checks run in header
 * order — version, type, flags, length — so the first bad field is the one reported,
 * and the length is refused before a single payload byte is buffered.
 */
export function readHeader(src: Uint8Array, offset: number, limit: number): FrameHeader {
  const version = src[offset]!;
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      'BAD_VERSION',
      `unsupported protocol version ${version} (this build speaks ${PROTOCOL_VERSION})`,
    );
  }
  const type = src[offset + 1]!;
  if (!isAcceptedType(type)) {
    throw new ProtocolError('UNKNOWN_TYPE', `unknown frame type 0x${type.toString(16).padStart(2, '0')}`);
  }
  const flags = (src[offset + 2]! << 8) | src[offset + 3]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    throw new ProtocolError('BAD_FLAGS', `undefined flag bits set: 0x${flags.toString(16).padStart(4, '0')}`);
  }
  if ((flags & FrameFlags.FRAGMENTED) !== 0) {
    throw new ProtocolError(
      'FRAGMENTED_UNSUPPORTED',
      'fragmented frames are not supported by protocol version 1',
    );
  }
  // `* 2 ** 24` instead of `<< 24` keeps the length an unsigned number.
  const length =
    src[offset + 4]! * 2 ** 24 + ((src[offset + 5]! << 16) | (src[offset + 6]! << 8) | src[offset + 7]!);
  if (length > limit) {
    throw new ProtocolError(
      'FRAME_TOO_LARGE',
      `frame payload of ${length} bytes exceeds the limit of ${limit}`,
    );
  }
  return { version, type, flags, length };
}
