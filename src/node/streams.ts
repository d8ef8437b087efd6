import { MaculaError } from '../core/index.js';
import { type Frame, FrameDecoder, writeFrame } from '../protocol/index.js';
import { type AbortOptions, type Clock, deadline, raceAbort, withDeadline } from '../runtime/index.js';
import { type Connection, STREAM_REFUSED_CODE, type Stream } from '../transport/index.js';
import type { FrameCounters } from './control.js';
import type { NodeLogger } from './types.js';

/** Answers one request frame on a stream opened by a peer; the result is the reply payload. */
export type RequestHandler = (payload: unknown, peerId: string) => unknown | Promise<unknown>;

/** Options of {@link StreamRouter.request}. */
export interface RequestOptions extends AbortOptions {
  /**
   * A stream of its own even when there is a lane: for bulk exchanges (membership sync)
   * that should not hold up the small frames behind them on the peer channel.
   */
  ownStream?: boolean;
}

/** Carries requests without a stream each (the peer channels, see ChannelRequests). */
export interface RequestLane {
  request(
    conn: Connection,
    peerId: string,
    type: number,
    payload: unknown,
    opts: AbortOptions,
  ): Promise<unknown>;
}

/** What a {@link StreamHandler} receives besides the stream: the opening frame and the decoder state. */
export interface StreamOpening {
  /** The peer that opened the stream. */
  readonly peerId: string;
  /** Payload of the stream's first frame (the one whose type picked the handler). */
  readonly payload: unknown;
  /** The decoder that read the first frame; it may hold part of the next one, so keep feeding it. */
  readonly decoder: FrameDecoder;
  /**
   * Frames that arrived in the same chunks after the first one, in order. When the decoder
   * failed after the first frame, `decoder.error` is set and these are the frames before it.
   */
  readonly rest: Frame[];
  /** Bytes read from the stream so far (the opening frame's chunks, whatever else they held). */
  readonly bytesRead: number;
}

/**
 * Takes over a long-lived stream whose first frame is of a type registered with
 * {@link StreamRouter.handleStream}. Runs with no deadline; a rejection resets the stream.
 */
export type StreamHandler = (stream: Stream, opening: StreamOpening) => Promise<void>;

/**
 * Request/response over QUIC streams, one stream per exchange: the opener writes one
 * frame and ends its side; the answerer writes one reply frame (type + 1) and ends. The
 * first frame's type picks the handler, so each layer registers the types it owns.
 * Types registered with {@link handleStream} hand the whole stream over instead (channels).
 */
export class StreamRouter {
  private readonly handlers = new Map<number, RequestHandler>();
  private readonly streamHandlers = new Map<number, StreamHandler>();
  /** The peer behind each attached connection (requests on a lane need it). */
  private readonly peers = new WeakMap<Connection, string>();
  private lane: RequestLane | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly frames: FrameCounters,
    private readonly log: NodeLogger,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Registers the handler of requests of frame `type` (replies use `type + 1`). */
  handle(type: number, handler: RequestHandler): void {
    this.checkFree(type);
    this.handlers.set(type, handler);
  }

  /**
   * Registers the handler of streams whose first frame is of `type`: it gets the stream
   * for as long as it wants it (no request deadline once the first frame arrived).
   */
  handleStream(type: number, handler: StreamHandler): void {
    this.checkFree(type);
    this.streamHandlers.set(type, handler);
  }

  /**
   * Sends later requests through `lane` (the peer channels) instead of a stream each,
   * except those asking for {@link RequestOptions.ownStream}.
   */
  useLane(lane: RequestLane): void {
    this.lane = lane;
  }

  /** The handler of requests of frame `type`, if one is registered. */
  handlerOf(type: number): RequestHandler | undefined {
    return this.handlers.get(type);
  }

  /** Serves the streams `conn`'s peer opens (after the handshake). */
  attach(conn: Connection, peerId: string): void {
    this.peers.set(conn, peerId);
    conn.onStream((stream) => {
      this.serve(stream, peerId).catch((err: unknown) => {
        stream.reset(STREAM_REFUSED_CODE);
        this.log.debug({ err, peer: peerId.slice(0, 8) }, 'stream request failed');
      });
    });
  }

  /**
   * Sends one request to `conn`'s peer and resolves with the reply payload: on the lane
   * when there is one, else (or with `ownStream`) on a new stream of `conn`.
   */
  request(conn: Connection, type: number, payload: unknown, opts: RequestOptions = {}): Promise<unknown> {
    const peer = this.lane && !opts.ownStream ? this.peers.get(conn) : undefined;
    if (peer !== undefined)
      return this.lane!.request(conn, peer, type, payload, {
        signal: opts.signal,
        timeoutMs: opts.timeoutMs ?? this.timeoutMs,
      });
    return this.streamRequest(conn, type, payload, opts);
  }

  private async streamRequest(conn: Connection, type: number, payload: unknown, opts: AbortOptions) {
    return withDeadline(
      this.clock,
      { timeoutMs: this.timeoutMs, ...opts },
      'stream request',
      async (signal) => {
        const stream = await conn.openStream({ signal });
        try {
          await writeFrame(stream, type, payload);
          this.frames.sent++;
          await stream.end();
          const { first: reply } = await raceAbort(firstFrame(stream), signal, () =>
            stream.reset(STREAM_REFUSED_CODE),
          );
          this.frames.received++;
          if (reply.type !== type + 1) {
            throw new MaculaError('BAD_REPLY', `expected frame type ${type + 1}, got ${reply.type}`);
          }
          return reply.payload;
        } catch (e) {
          stream.reset(STREAM_REFUSED_CODE);
          throw e;
        }
      },
    );
  }

  private checkFree(type: number): void {
    if (this.handlers.has(type) || this.streamHandlers.has(type))
      throw new MaculaError('ALREADY_REGISTERED', `frame type ${type} already has a handler`);
  }

  private async serve(stream: Stream, peerId: string): Promise<void> {
    // The deadline covers the request only; a stream handler runs after it is released.
    const { signal, dispose } = deadline(this.clock, { timeoutMs: this.timeoutMs }, 'stream request');
    let takeOver: StreamHandler | undefined;
    let opening: StreamOpening | undefined;
    try {
      const { first, decoder, rest, bytesRead } = await raceAbort(firstFrame(stream), signal);
      this.frames.received++;
      takeOver = this.streamHandlers.get(first.type);
      if (takeOver) opening = { peerId, payload: first.payload, decoder, rest, bytesRead };
      else await this.answer(stream, first, peerId, signal);
    } finally {
      dispose();
    }
    if (takeOver && opening) await takeOver(stream, opening);
  }

  private async answer(stream: Stream, req: Frame, peerId: string, signal: AbortSignal | undefined) {
    const handler = this.handlers.get(req.type);
    if (!handler) throw new MaculaError('NO_HANDLER', `no handler for frame type ${req.type}`);
    const reply = await raceAbort(Promise.resolve(handler(req.payload, peerId)), signal);
    await writeFrame(stream, req.type + 1, reply);
    this.frames.sent++;
    await stream.end();
  }
}

interface FirstFrame {
  first: Frame;
  decoder: FrameDecoder;
  rest: Frame[];
  bytesRead: number;
}

/**
 * Reads until the first frame is whole. The decoder and any frames after the first are
 * returned too, so a stream handler continues exactly where this stopped.
 */
async function firstFrame(stream: Stream): Promise<FirstFrame> {
  const decoder = new FrameDecoder();
  const rest: Frame[] = [];
  let bytesRead = 0;
  for (;;) {
    const chunk = await stream.read();
    if (chunk === null) throw new MaculaError('NO_FRAME', 'stream ended before a frame arrived');
    bytesRead += chunk.byteLength;
    try {
      decoder.pushInto(chunk, rest);
    } catch (e) {
      // A bad frame after a good first one is the stream handler's business (decoder.error).
      if (rest.length === 0) throw e;
    }
    const first = rest.shift();
    if (first) return { first, decoder, rest, bytesRead };
  }
}
