import { MaculaError } from '../core/index.js';
import { type Frame, readFrames, writeFrame } from '../protocol/index.js';
import { type AbortOptions, type Clock, raceAbort, withDeadline } from '../runtime/index.js';
import { type Connection, STREAM_REFUSED_CODE, type Stream } from '../transport/index.js';
import type { FrameCounters } from './control.js';
import type { NodeLogger } from './types.js';

/** Answers one request frame on a stream opened by a peer; the result is the reply payload. */
export type RequestHandler = (payload: unknown, peerId: string) => unknown | Promise<unknown>;

/**
 * Request/response over QUIC streams, one stream per exchange: the opener writes one
 * frame and ends its side; the answerer writes one reply frame (type + 1) and ends. The
 * first frame's type picks the handler, so each layer registers the types it owns.
 */
export class StreamRouter {
  private readonly handlers = new Map<number, RequestHandler>();

  constructor(
    private readonly clock: Clock,
    private readonly frames: FrameCounters,
    private readonly log: NodeLogger,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Registers the handler of requests of frame `type` (replies use `type + 1`). */
  handle(type: number, handler: RequestHandler): void {
    if (this.handlers.has(type))
      throw new MaculaError('ALREADY_REGISTERED', `frame type ${type} already has a handler`);
    this.handlers.set(type, handler);
  }

  /** Serves the streams `conn`'s peer opens (after the handshake). */
  attach(conn: Connection, peerId: string): void {
    conn.onStream((stream) => {
      this.serve(stream, peerId).catch((err: unknown) => {
        stream.reset(STREAM_REFUSED_CODE);
        this.log.debug({ err, peer: peerId.slice(0, 8) }, 'stream request failed');
      });
    });
  }

  /** Sends one request on a new stream of `conn` and resolves with the reply payload. */
  async request(conn: Connection, type: number, payload: unknown, opts: AbortOptions = {}): Promise<unknown> {
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
          const reply = await raceAbort(firstFrame(stream), signal, () => stream.reset(STREAM_REFUSED_CODE));
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

  private async serve(stream: Stream, peerId: string): Promise<void> {
    await withDeadline(this.clock, { timeoutMs: this.timeoutMs }, 'stream request', async (signal) => {
      const req = await raceAbort(firstFrame(stream), signal);
      this.frames.received++;
      const handler = this.handlers.get(req.type);
      if (!handler) throw new MaculaError('NO_HANDLER', `no handler for frame type ${req.type}`);
      const reply = await raceAbort(Promise.resolve(handler(req.payload, peerId)), signal);
      await writeFrame(stream, req.type + 1, reply);
      this.frames.sent++;
      await stream.end();
    });
  }
}

async function firstFrame(stream: Stream): Promise<Frame> {
  for await (const f of readFrames(stream)) return f;
  throw new MaculaError('NO_FRAME', 'stream ended before a frame arrived');
}
