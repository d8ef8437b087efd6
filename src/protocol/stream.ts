/** Frames over a byte stream. Depends only on the minimal shape of a transport stream. */
import { type DecodeOptions, FrameDecoder } from './decoder.js';
import { type EncodeOptions, encodeFrame } from './encode.js';
import type { Frame } from './types.js';

/** The writable half of a stream, as far as framing needs it (a transport `Stream` fits). */
export interface FrameSink {
  /** Resolves when the bytes are accepted; awaiting it is the backpressure. */
  write(bytes: Uint8Array): Promise<void>;
}

/**
 * Yields the frames carried by `stream`, in order, until it ends.
 * Throws a ProtocolError on the first bad frame (after yielding every frame before it);
 * the stream is desynchronised then and the caller should send ERROR and close.
 * Ending in the middle of a frame is not an error here: the partial frame is dropped,
 * as the peer's FIN or reset says why.
 */
export async function* readFrames(
  stream: AsyncIterable<Uint8Array>,
  opts?: DecodeOptions,
): AsyncGenerator<Frame, void, undefined> {
  const decoder = new FrameDecoder(opts);
  const batch: Frame[] = [];
  for await (const chunk of stream) {
    try {
      decoder.pushInto(chunk, batch);
    } catch (e) {
      yield* drain(batch);
      throw e;
    }
    yield* drain(batch);
  }
}

function* drain(batch: Frame[]): Generator<Frame> {
  // Frames are handed out one at a time; the array is reused for the next chunk.
  for (let i = 0; i < batch.length; i++) yield batch[i]!;
  batch.length = 0;
}

/** Encodes one frame and writes it to `stream` (awaits the write, i.e. backpressure). */
export async function writeFrame(
  stream: FrameSink,
  type: number,
  payload: unknown,
  opts?: EncodeOptions,
): Promise<void> {
  // async: an encoding error becomes a rejection, like a failed write.
  await stream.write(encodeFrame(type, payload, opts));
}
