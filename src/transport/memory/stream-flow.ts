import { concatBytes } from '../../runtime/index.js';
import type { MemStream } from './mem-stream.js';
import type { Frame } from './packets.js';

/** Where the stream layer puts its frames; the connection packs them into packets. */
export interface FrameSink {
  /** Payload bytes left in the packet being filled. */
  room(): number;
  add(f: Frame): void;
  /** Sends the packet being filled and starts a new one. */
  cut(): void;
}

/** Frames below this size are not worth starting in a nearly full packet. */
const MIN_DATA_FRAME = 512;

/**
 * Moves as much of `s`'s write queue as the peer's credit allows into data frames,
 * batching queued chunks and copying them (the writer may reuse its buffers once its
 * write resolved). A FIN rides on the last frame, or goes alone when nothing is left.
 */
export function drainStream(s: MemStream, sink: FrameSink): void {
  if (s.writeFailed) return;
  let chunk = s.peekWrite();
  while (chunk && s.sendMax > s.sendOffset) {
    if (sink.room() < MIN_DATA_FRAME) sink.cut();
    const budget = Math.min(s.sendMax - s.sendOffset, sink.room());
    const parts: Uint8Array[] = [];
    let n = 0;
    while (chunk && n < budget) {
      const take = Math.min(chunk.byteLength, budget - n);
      parts.push(chunk.subarray(0, take));
      s.consumeWrite(take);
      n += take;
      chunk = s.peekWrite();
    }
    s.sendOffset += n;
    const fin = !chunk && s.finPending;
    sink.add({ t: 'data', id: s.id, data: joinCopy(parts, n), fin });
    if (fin) {
      s.finSent();
      return;
    }
  }
  if (!chunk && s.finPending) {
    sink.add({ t: 'data', id: s.id, data: undefined, fin: true });
    s.finSent();
  }
}

/**
 * Raises `s.recvMax` to what the read buffer can take once that grows it by at least
 * `threshold` (true: tell the peer). Otherwise flags the stream `readStalled`, so
 * BaseStream calls wantsRead when the reader frees room. Credit never exceeds the
 * buffer's room, so a reader that does not read stalls the writer.
 */
export function grantCredit(s: MemStream, threshold: number): boolean {
  if (s.finReceived) return false;
  const limit = s.recvOffset + Math.max(0, s.readRoom);
  if (limit - s.recvMax >= threshold) {
    s.recvMax = limit;
    return true;
  }
  s.readStalled = true;
  return false;
}

/** Copies `parts` (totalling `n` bytes) into one new buffer. */
function joinCopy(parts: readonly Uint8Array[], n: number): Uint8Array {
  return parts.length === 1 ? parts[0]!.slice() : concatBytes(parts, n);
}
