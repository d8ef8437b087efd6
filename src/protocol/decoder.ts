/** Streaming and one-shot frame decoding. */
import { concatBytes } from '../runtime/index.js';
import { asProtocolError, ProtocolError } from './errors.js';
import { type FrameHeader, readHeader, resolveLimit } from './header.js';
import { decodePayload } from './payload.js';
import { type Frame, HEADER_SIZE } from './types.js';

/** Options of {@link FrameDecoder} and {@link decodeFrame}. */
export interface DecodeOptions {
  /** Largest payload accepted, in bytes, compressed or not (default and ceiling 16 MiB). */
  maxFrameSize?: number;
}

/**
 * Cuts a byte stream into frames, whatever the chunking: a frame may span many chunks and
 * a chunk may hold many frames. Memory is bounded: a header's length field is checked
 * before any of its payload is kept, so at most 8 + `maxFrameSize` bytes are buffered.
 *
 * Any error leaves the stream desynchronised, so it is sticky: every later `push` throws
 * the same {@link ProtocolError}. Only ProtocolError is ever thrown.
 */
export class FrameDecoder {
  readonly maxFrameSize: number;
  private readonly head = new Uint8Array(HEADER_SIZE);
  private headLen = 0;
  /** Header of the frame whose payload is being collected. */
  private header: FrameHeader | null = null;
  private parts: Uint8Array[] = [];
  private partsLen = 0;
  private failure: ProtocolError | null = null;

  constructor(opts: DecodeOptions = {}) {
    this.maxFrameSize = resolveLimit(opts.maxFrameSize, 'FrameDecoder');
  }

  /** Bytes held for a frame not yet complete (header bytes included). */
  get buffered(): number {
    return this.headLen + this.partsLen;
  }

  /** The error that broke the stream, if any. */
  get error(): ProtocolError | null {
    return this.failure;
  }

  /**
   * Feeds one chunk; returns the frames it completed, in order.
   * @throws ProtocolError on the first invalid frame, and on every call after that.
   */
  push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    this.pushInto(chunk, out);
    return out;
  }

  /**
   * Like {@link push} but appends to `out`, so frames completed before an error in the
   * same chunk are still available to the caller when it throws.
   */
  pushInto(chunk: Uint8Array, out: Frame[]): void {
    if (this.failure !== null) throw this.failure;
    try {
      this.consume(chunk, out);
    } catch (e) {
      this.failure = asProtocolError(e, 'BAD_PAYLOAD', 'frame decoding failed');
      this.head.fill(0);
      this.headLen = 0;
      this.header = null;
      this.parts = [];
      this.partsLen = 0;
      throw this.failure;
    }
  }

  private consume(chunk: Uint8Array, out: Frame[]): void {
    const limit = this.maxFrameSize;
    const end = chunk.byteLength;
    let pos = 0;
    while (pos < end) {
      const header = this.header;
      if (header !== null) {
        // Collecting a payload that started in an earlier chunk.
        const take = Math.min(header.length - this.partsLen, end - pos);
        this.parts.push(chunk.slice(pos, pos + take));
        this.partsLen += take;
        pos += take;
        if (this.partsLen === header.length) out.push(this.finishBuffered(header));
      } else if (this.headLen === 0 && end - pos >= HEADER_SIZE) {
        // Fast path: the header is whole in this chunk, and maybe the payload too.
        const h = readHeader(chunk, pos, limit);
        pos += HEADER_SIZE;
        if (end - pos >= h.length) {
          out.push(decodePayload(h, chunk, pos, limit));
          pos += h.length;
        } else {
          this.header = h;
          this.headLen = HEADER_SIZE;
        }
      } else {
        // A header split across chunks.
        const take = Math.min(HEADER_SIZE - this.headLen, end - pos);
        this.head.set(chunk.subarray(pos, pos + take), this.headLen);
        this.headLen += take;
        pos += take;
        if (this.headLen === HEADER_SIZE) {
          const h = readHeader(this.head, 0, limit);
          this.header = h;
          if (h.length === 0) out.push(this.finishBuffered(h));
        }
      }
    }
  }

  private finishBuffered(header: FrameHeader): Frame {
    const body = this.parts.length === 1 ? this.parts[0]! : concatBytes(this.parts, this.partsLen);
    this.header = null;
    this.headLen = 0;
    this.parts = [];
    this.partsLen = 0;
    return decodePayload(header, body, 0, this.maxFrameSize);
  }
}

/**
 * Decodes exactly one complete frame; bytes missing or left over are errors.
 * @throws ProtocolError (never anything else).
 */
export function decodeFrame(bytes: Uint8Array, opts: DecodeOptions = {}): Frame {
  const limit = resolveLimit(opts.maxFrameSize, 'decodeFrame');
  try {
    if (bytes.byteLength < HEADER_SIZE) {
      throw new ProtocolError(
        'BAD_PAYLOAD',
        `truncated frame: ${bytes.byteLength} bytes, header needs ${HEADER_SIZE}`,
      );
    }
    const header = readHeader(bytes, 0, limit);
    const actual = bytes.byteLength - HEADER_SIZE;
    if (actual !== header.length) {
      throw new ProtocolError(
        'BAD_PAYLOAD',
        `frame length field says ${header.length} payload bytes but ${actual} are present`,
      );
    }
    return decodePayload(header, bytes, HEADER_SIZE, limit);
  } catch (e) {
    throw asProtocolError(e, 'BAD_PAYLOAD', 'frame decoding failed');
  }
}
