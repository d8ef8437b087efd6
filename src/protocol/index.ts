/**
 * The Macula wire protocol: frames (8-byte header + MessagePack payload) carried on
 * QUIC streams. See docs/wire-protocol.md.
 */
export { decodeOwnedValue, decodeValue, encodeValue } from './codec.js';
export { type DecodeOptions, decodeFrame, FrameDecoder } from './decoder.js';
export { type EncodeOptions, encodeFrame, encodeFrameInto, FrameEncoder } from './encode.js';
export { ProtocolError, type ProtocolErrorCode } from './errors.js';
export { type FrameSink, readFrames, writeFrame } from './stream.js';
export {
  DefinedRanges,
  type Frame,
  FrameFlags,
  FrameType,
  frameTypeName,
  HEADER_SIZE,
  isAcceptedType,
  KNOWN_FLAGS,
  MAX_FRAME_PAYLOAD,
  PROTOCOL_VERSION,
  ReservedRanges,
  type TypeRange,
  typeClass,
} from './types.js';
