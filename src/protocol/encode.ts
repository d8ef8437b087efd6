/** Frame encoding. The hot path packs the payload straight behind 8 reserved bytes: no copy. */
import { deflateRawSync } from 'node:zlib';
import { packReserved } from './codec.js';
import { ProtocolError } from './errors.js';
import { resolveLimit, writeHeader } from './header.js';
import { FrameFlags, frameTypeName, HEADER_SIZE, isAcceptedType } from './types.js';

/** Options of {@link FrameEncoder} and {@link encodeFrame}. */
export interface EncodeOptions {
  /** Largest payload to send, in bytes (default and ceiling 16 MiB). Applies before compression too. */
  maxFrameSize?: number;
  /**
   * Compress (raw deflate) payloads whose MessagePack encoding is larger than this many
   * bytes; kept uncompressed when deflate does not make it smaller. Default: never.
   */
  compressAbove?: number;
}

/** Encodes frames with fixed options; reuse one per connection or per process. */
export class FrameEncoder {
  readonly maxFrameSize: number;
  readonly compressAbove: number;

  constructor(opts: EncodeOptions = {}) {
    this.maxFrameSize = resolveLimit(opts.maxFrameSize, 'FrameEncoder');
    this.compressAbove = opts.compressAbove ?? Number.POSITIVE_INFINITY;
  }

  /**
   * One frame as bytes. Uncompressed frames are a view into msgpackr's output slab (never
   * overwritten later), so encoding allocates no buffer of its own.
   * @throws ProtocolError `UNKNOWN_TYPE`, `FRAME_TOO_LARGE` or `BAD_PAYLOAD`.
   */
  encode(type: number, payload: unknown): Uint8Array {
    checkType(type);
    const packed = packReserved(payload, HEADER_SIZE);
    const length = packed.byteLength - HEADER_SIZE;
    // The receiver inflates into at most its limit, so the uncompressed size counts too.
    if (length > this.maxFrameSize) {
      throw new ProtocolError(
        'FRAME_TOO_LARGE',
        `payload of ${length} bytes exceeds the limit of ${this.maxFrameSize}`,
      );
    }
    if (length > this.compressAbove) {
      const deflated = deflateRawSync(packed.subarray(HEADER_SIZE));
      if (deflated.byteLength < length) {
        const out = new Uint8Array(HEADER_SIZE + deflated.byteLength);
        writeHeader(out, 0, type, FrameFlags.COMPRESSED, deflated.byteLength);
        out.set(deflated, HEADER_SIZE);
        return out;
      }
    }
    writeHeader(packed, 0, type, 0, length);
    return packed;
  }

  /**
   * Writes one frame into `target` at `offset` (to batch several frames into one write).
   * Returns the bytes written, or 0 when the frame does not fit (`target` is untouched).
   */
  encodeInto(target: Uint8Array, offset: number, type: number, payload: unknown): number {
    const frame = this.encode(type, payload);
    if (offset < 0 || offset + frame.byteLength > target.byteLength) return 0;
    target.set(frame, offset);
    return frame.byteLength;
  }
}

function checkType(type: number): void {
  if (!isAcceptedType(type)) {
    throw new ProtocolError('UNKNOWN_TYPE', `cannot send frame type ${frameTypeName(type)}`);
  }
}

const defaultEncoder = new FrameEncoder();

/** Encodes one frame: 8-byte header + MessagePack payload. See {@link FrameEncoder.encode}. */
export function encodeFrame(type: number, payload: unknown, opts?: EncodeOptions): Uint8Array {
  return (opts === undefined ? defaultEncoder : new FrameEncoder(opts)).encode(type, payload);
}

/** Writes one frame into `target` at `offset`; see {@link FrameEncoder.encodeInto}. */
export function encodeFrameInto(
  target: Uint8Array,
  offset: number,
  type: number,
  payload: unknown,
  opts?: EncodeOptions,
): number {
  return (opts === undefined ? defaultEncoder : new FrameEncoder(opts)).encodeInto(
    target,
    offset,
    type,
    payload,
  );
}
