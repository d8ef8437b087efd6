/** Turning a frame's payload bytes into a value: optional inflate, then exactly one MessagePack value. */
import { inflateRawSync } from 'node:zlib';
import { unpackExact } from './codec.js';
import { ProtocolError } from './errors.js';
import type { FrameHeader } from './header.js';
import { type Frame, FrameFlags } from './types.js';

/** Decodes the payload of a validated header from `src[start, start + header.length)`. */
export function decodePayload(header: FrameHeader, src: Uint8Array, start: number, limit: number): Frame {
  const end = start + header.length;
  let payload: unknown;
  if ((header.flags & FrameFlags.COMPRESSED) === 0) {
    payload = unpackExact(src, start, end);
  } else {
    const plain = inflate(src.subarray(start, end), limit);
    payload = unpackExact(plain, 0, plain.byteLength);
  }
  return { version: header.version, type: header.type, flags: header.flags, payload };
}

function inflate(data: Uint8Array, limit: number): Uint8Array {
  try {
    // maxOutputLength makes zlib stop before allocating past the limit: a zip bomb costs at most `limit` bytes.
    return inflateRawSync(data, { maxOutputLength: limit });
  } catch (e) {
    if (isCode(e, 'ERR_BUFFER_TOO_LARGE')) {
      throw new ProtocolError('FRAME_TOO_LARGE', `decompressed payload exceeds the limit of ${limit} bytes`, {
        cause: e,
      });
    }
    throw new ProtocolError('DECOMPRESS_FAILED', `cannot inflate payload: ${errorText(e)}`, { cause: e });
  }
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
