/** One outbound channel: a stream to one peer carrying batched frames, with a bounded queue. */
import { encodeFrame, FrameType } from '../protocol/index.js';
import { type AbortOptions, type Clock, raceAbort, withDeadline } from '../runtime/index.js';
import type { Connection, Stream } from '../transport/index.js';
import { SendQueue } from './channel-queue.js';
import { ChannelError, ChannelResetCode, type ChannelStats } from './channel-types.js';
import type { FrameCounters } from './control.js';

/** What outbound channels share with their owner. */
export interface OutContext {
  readonly clock: Clock;
  readonly maxQueuedBytes: number;
  readonly stats: ChannelStats;
  readonly frames: FrameCounters | undefined;
  /** Traffic crossed the channel with `peerId` (once per batch written). */
  active(peerId: string): void;
  /** Told once when a channel ends, however it ends. */
  closed(ch: OutChannel, reason: string, cause?: unknown): void;
}

/** The opening frame of every channel (a view msgpackr never rewrites, so it is shared). */
const OPEN_FRAME = encodeFrame(FrameType.CHANNEL, { v: 1 });
const noop = (): void => {};

/**
 * Frames queued in one tick go out as one write (flushed on a microtask). While a write
 * waits for the stream to drain, frames keep queueing, so batches grow with load. Queued
 * bytes (not yet written, or written but not yet drained) stay under `maxQueuedBytes`.
 */
export class OutChannel {
  private state: 'open' | 'ending' | 'closed' = 'open';
  private stream: Stream | undefined;
  /** The stream being opened (settles once; rejects when it cannot be opened). */
  private ready: Promise<Stream> | undefined;
  private readonly q: SendQueue;
  private writing = false;
  private scheduled = false;
  private readonly opening = new AbortController();

  constructor(
    readonly conn: Connection,
    readonly peerId: string,
    private readonly ctx: OutContext,
  ) {
    this.q = new SendQueue(ctx.maxQueuedBytes, ctx.clock, () => this.schedule());
  }

  /** Queues the opening frame and opens the stream. */
  start(): void {
    this.q.push(OPEN_FRAME);
    try {
      this.ready = this.conn.openStream({ signal: this.opening.signal });
    } catch (e) {
      this.ready = Promise.reject(e);
    }
    this.ready.then(this.opened, (e: unknown) =>
      this.finish('cannot open a stream', ChannelResetCode.CANCELLED, e),
    );
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Bytes queued and not yet drained by the stream. */
  get queued(): number {
    return this.q.queued;
  }

  /** True when some send is waiting for room. */
  get waiting(): boolean {
    return this.q.waiting;
  }

  /** True when a frame of `size` bytes may be queued now (never ahead of a waiting send). */
  hasRoom(size: number): boolean {
    return this.state === 'open' && this.q.hasRoom(size);
  }

  /** Queues `frame` (the caller checked {@link hasRoom}); it goes out with this tick's batch. */
  queue(frame: Uint8Array): void {
    this.q.push(frame);
    this.schedule();
  }

  /** Waits for room (in order with other waiting sends), then queues `frame`. */
  wait(frame: Uint8Array, opts: AbortOptions | undefined): Promise<void> {
    return this.q.wait(frame, opts);
  }

  /** Drops the channel: its stream is reset, queued frames are lost, waiting sends reject. */
  fail(reason: string): void {
    this.finish(reason, ChannelResetCode.CANCELLED);
  }

  /**
   * Ends gracefully: waiting sends reject, queued frames are written (once the stream is
   * open, if it is still opening), then FIN. Under `opts`' deadline; reset when it fails.
   */
  async end(opts?: AbortOptions): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'ending';
    this.q.rejectWaiters(new ChannelError('CHANNEL_CLOSED', 'channels are closing'));
    try {
      await withDeadline(this.ctx.clock, opts, 'channel end', async (signal) => {
        const stream = this.stream ?? (await raceAbort(this.ready!, signal));
        // Past the bound on purpose: this is the last write of the channel.
        this.writeQueued(stream).catch(noop);
        await stream.end(undefined, { signal });
      });
      this.finish('closed', undefined);
    } catch (e) {
      this.finish('end failed', ChannelResetCode.CANCELLED, e);
    }
  }

  private schedule(): void {
    if (this.scheduled || this.writing || !this.stream) return;
    this.scheduled = true;
    queueMicrotask(this.flushTask);
  }

  private readonly flushTask = (): void => {
    this.scheduled = false;
    this.flush();
  };

  private flush(): void {
    const stream = this.stream;
    if (!stream || this.writing || this.state !== 'open' || this.q.pending === 0) return;
    this.writing = true;
    this.q.inFlight = this.q.pending;
    this.writeQueued(stream).then(this.written, this.writeFailed);
  }

  /** Writes everything queued; settles with the last write (they all resolve on the same drain). */
  private writeQueued(stream: Stream): Promise<void> {
    const s = this.ctx.stats;
    const frames = this.q.frames;
    s.framesSent += frames;
    s.bytesSent += this.q.pending;
    s.batches++;
    if (this.ctx.frames) this.ctx.frames.sent += frames;
    this.ctx.active(this.peerId);
    this.q.frames = 0;
    let last: Promise<void> | undefined;
    for (let c = this.q.take(); c; c = this.q.take()) {
      last?.catch(noop);
      last = stream.write(c);
    }
    return last ?? Promise.resolve();
  }

  private readonly written = (): void => {
    this.writing = false;
    this.q.inFlight = 0;
    if (this.state !== 'open') return;
    this.q.admit();
    this.flush();
  };

  private readonly writeFailed = (e: unknown): void => {
    this.writing = false;
    this.q.inFlight = 0;
    this.finish('write failed', ChannelResetCode.CANCELLED, e);
  };

  private readonly opened = (stream: Stream): void => {
    if (this.state === 'closed') {
      stream.reset(ChannelResetCode.CANCELLED);
      return;
    }
    this.stream = stream;
    void this.watch(stream);
    this.flush();
  };

  /** The receiver never writes: its FIN, a reset or the connection closing ends the channel. */
  private async watch(stream: Stream): Promise<void> {
    let cause: unknown;
    try {
      while ((await stream.read()) !== null) {}
    } catch (e) {
      cause = e;
    }
    // The peer finishing while we end is the normal close: end() settles it.
    if (cause === undefined && this.state === 'ending') return;
    const reason = cause === undefined ? 'peer ended the channel' : 'stream closed';
    this.finish(reason, ChannelResetCode.CANCELLED, cause);
  }

  private finish(reason: string, resetCode: number | undefined, cause?: unknown): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.opening.abort();
    if (resetCode !== undefined) this.stream?.reset(resetCode);
    this.ctx.stats.dropped.closed += this.q.clear();
    const peer = this.peerId.slice(0, 8);
    this.q.rejectWaiters(
      new ChannelError('CHANNEL_CLOSED', `channel to ${peer} closed: ${reason}`, { cause }),
    );
    this.ctx.closed(this, reason, cause);
  }
}
