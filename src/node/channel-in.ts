/** The receive side of a channel: one reader loop per incoming channel stream. */
import type { Frame } from '../protocol/index.js';
import type { Emitter } from '../runtime/index.js';
import type { Stream } from '../transport/index.js';
import { type ChannelEvents, ChannelResetCode, type ChannelStats } from './channel-types.js';
import type { FrameCounters } from './control.js';
import type { StreamOpening } from './streams.js';
import type { NodeLogger } from './types.js';

/** Handles one message received on a channel; a returned promise is awaited before the next. */
export type ChannelHandler = (payload: unknown, peerId: string) => void | Promise<void>;

/** What incoming channels share with their owner. */
export interface InContext {
  readonly handlers: ReadonlyMap<number, ChannelHandler>;
  readonly stats: ChannelStats;
  readonly frames: FrameCounters | undefined;
  readonly log: NodeLogger;
  readonly events: Emitter<ChannelEvents>;
  /** The incoming channel streams now open, with their peer. */
  readonly streams: Map<Stream, string>;
  /** Traffic crossed the channel with `peerId` (once per batch read). */
  active(peerId: string): void;
}

/** True for the opening payload this build speaks: `{ v: 1 }`. */
export function isChannelOpen(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && (payload as { v?: unknown }).v === 1;
}

/**
 * Serves one incoming channel until it ends (see {@link readChannel}); a stream whose
 * opening is not `{ v: 1 }` is refused, and one peer has one channel at a time (the
 * newest). Never rejects.
 */
export async function serveChannel(stream: Stream, o: StreamOpening, ctx: InContext): Promise<void> {
  const { stats } = ctx;
  const { peerId } = o;
  if (!isChannelOpen(o.payload)) {
    stats.dropped.badOpen++;
    stream.reset(ChannelResetCode.REFUSED);
    return;
  }
  // A sender keeps one channel to us: a new one means it gave up the old one (or its
  // connection), so the old one goes. This also bounds what one peer can make us buffer.
  for (const [old, id] of ctx.streams) if (id === peerId) old.reset(ChannelResetCode.CANCELLED);
  ctx.streams.set(stream, peerId);
  stats.accepted++;
  stats.openIn++;
  ctx.events.emit('open', { peerId, direction: 'in' });
  const reason = await readChannel(stream, o, ctx);
  ctx.streams.delete(stream);
  stats.openIn--;
  ctx.events.emit('closed', { peerId, direction: 'in', reason });
}

/**
 * Reads frames until the sender ends the stream (then ends ours), the stream is reset or
 * the connection goes. Handlers run one at a time, in arrival order. A malformed frame
 * resets this stream only. Resolves with why the channel ended; never rejects.
 */
async function readChannel(stream: Stream, o: StreamOpening, ctx: InContext): Promise<string> {
  const { stats } = ctx;
  stats.bytesReceived += o.bytesRead;
  const frames: Frame[] = o.rest;
  let failure = o.decoder.error;
  for (;;) {
    if (frames.length > 0) {
      await dispatch(frames, o.peerId, ctx);
      frames.length = 0;
    }
    if (failure) {
      stats.dropped.malformed++;
      ctx.log.debug({ err: failure, peer: o.peerId.slice(0, 8) }, 'malformed frame on a channel');
      stream.reset(ChannelResetCode.MALFORMED);
      return 'malformed frame';
    }
    let chunk: Uint8Array | null;
    try {
      chunk = await stream.read();
    } catch {
      return 'stream closed';
    }
    if (chunk === null) {
      // Our side carries nothing: finishing it lets the stream close on both ends.
      stream.end().catch(() => {});
      return 'ended by peer';
    }
    stats.bytesReceived += chunk.byteLength;
    try {
      o.decoder.pushInto(chunk, frames);
    } catch {
      failure = o.decoder.error;
    }
  }
}

/** Runs the handlers of `frames` in order; awaits only handlers that return a promise. */
async function dispatch(frames: readonly Frame[], peerId: string, ctx: InContext): Promise<void> {
  const { stats, handlers } = ctx;
  ctx.active(peerId);
  stats.framesReceived += frames.length;
  if (ctx.frames) ctx.frames.received += frames.length;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    const handler = handlers.get(f.type);
    if (handler === undefined) {
      stats.dropped.unknownType++;
      continue;
    }
    try {
      const r = handler(f.payload, peerId);
      if (r !== undefined) await r;
    } catch (err) {
      stats.handlerErrors++;
      // Logarithmic: a handler failing on every message must not flood the log.
      const n = stats.handlerErrors;
      if ((n & (n - 1)) === 0) {
        ctx.log.warn({ err, peer: peerId.slice(0, 8), type: f.type, count: n }, 'channel handler failed');
      }
    }
  }
}
