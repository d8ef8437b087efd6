/**
 * Persistent per-peer message channels: one long-lived stream per peer and direction
 * carrying one-way frames back to back, instead of a new stream per message.
 */
import { InvalidArgumentError } from '../core/index.js';
import { FrameEncoder, FrameType, ProtocolError } from '../protocol/index.js';
import { type AbortOptions, type Clock, Emitter, systemClock, throwIfAborted } from '../runtime/index.js';
import type { Connection, Stream } from '../transport/index.js';
import { type ChannelHandler, type InContext, serveChannel } from './channel-in.js';
import { OutChannel, type OutContext } from './channel-out.js';
import {
  ChannelError,
  type ChannelEvents,
  ChannelResetCode,
  type ChannelStats,
  emptyChannelStats,
} from './channel-types.js';
import type { FrameCounters } from './control.js';
import type { StreamRouter } from './streams.js';
import type { NodeLogger } from './types.js';

export type { ChannelHandler } from './channel-in.js';

/** Options of {@link PeerChannels}. */
export interface PeerChannelsOptions {
  clock?: Clock;
  log?: NodeLogger;
  /** The node's frame counters, bumped for every channel frame too. */
  frames?: FrameCounters;
  /** Bytes queued per peer before `send` waits and `trySend` refuses (default 1 MiB). */
  maxQueuedBytes?: number;
  /** Largest payload `send` encodes (default and ceiling 16 MiB). */
  maxFrameSize?: number;
}

const RESOLVED = Promise.resolve();
const SILENT: NodeLogger = { debug() {}, info() {}, warn() {} };

/**
 * One-way messages to peers over persistent channels (frame type `CHANNEL` opens one).
 * Per peer, one outbound stream is opened on first use; frames sent in the same tick are
 * written together; queued bytes are bounded per peer. Incoming channels are served
 * through {@link serveOn}; their messages reach the handlers in the order sent.
 */
export class PeerChannels {
  private readonly out = new Map<string, OutChannel>();
  private readonly incoming = new Map<Stream, string>();
  private readonly handlers = new Map<number, ChannelHandler>();
  private readonly counters = emptyChannelStats();
  private readonly events: Emitter<ChannelEvents>;
  private readonly encoder: FrameEncoder;
  private readonly outCtx: OutContext;
  private readonly inCtx: InContext;
  private closing: Promise<void> | undefined;
  /** When traffic last crossed each peer's channels (either way), on `clock`. */
  private readonly lastActive = new Map<string, number>();
  private readonly clock: Clock;

  constructor(opts: PeerChannelsOptions = {}) {
    const log = opts.log ?? SILENT;
    const maxQueuedBytes = opts.maxQueuedBytes ?? 1024 * 1024;
    if (!Number.isInteger(maxQueuedBytes) || maxQueuedBytes < 1)
      throw new InvalidArgumentError(`maxQueuedBytes must be a positive integer, got ${maxQueuedBytes}`);
    this.encoder = new FrameEncoder({ maxFrameSize: opts.maxFrameSize });
    this.events = new Emitter((err, event) => log.warn({ err, event }, 'channel listener failed'));
    const { counters: stats, events } = this;
    this.clock = opts.clock ?? systemClock;
    const active = (peerId: string) => this.lastActive.set(peerId, this.clock.now());
    this.outCtx = {
      clock: this.clock,
      active,
      maxQueuedBytes,
      stats,
      frames: opts.frames,
      closed: (ch, reason, cause) => {
        stats.openOut--;
        if (this.out.get(ch.peerId) === ch) this.out.delete(ch.peerId);
        events.emit('closed', { peerId: ch.peerId, direction: 'out', reason, cause });
      },
    };
    this.inCtx = {
      handlers: this.handlers,
      stats,
      frames: opts.frames,
      log,
      events,
      streams: this.incoming,
      active,
    };
  }

  /** Registers the handler of channel messages of frame `type` (one per type). */
  handle(type: number, handler: ChannelHandler): void {
    if (type === FrameType.CHANNEL) throw new InvalidArgumentError('CHANNEL frames cannot be handled');
    if (this.handlers.has(type))
      throw new InvalidArgumentError(`frame type ${type} already has a channel handler`, {
        code: 'ALREADY_REGISTERED',
      });
    this.handlers.set(type, handler);
  }

  /** Serves the incoming channels of every connection `router` is attached to. */
  serveOn(router: StreamRouter): void {
    router.handleStream(FrameType.CHANNEL, (stream, opening) => {
      if (!this.closing) return serveChannel(stream, opening, this.inCtx);
      stream.reset(ChannelResetCode.REFUSED);
      return RESOLVED;
    });
  }

  /**
   * Sends one message to `peerId` over `conn`. Resolves once the frame is queued on the
   * peer's channel (it is written with the rest of this tick's frames); waits while the
   * peer's queue is full. Frames are written in call order; a channel that closes loses
   * what it still had queued (one-way messages carry no delivery guarantee).
   * Payloads are MessagePack values (docs/wire-protocol.md). A function is not one: as the
   * payload it is refused (`BAD_PAYLOAD`), but nested in an object or array the codec
   * encodes it as `undefined`, as it does for every frame (msgpackr's behaviour).
   * @throws (as a rejection) ChannelError `CHANNEL_CLOSED` when the channel closes while
   *   waiting, or after close(); ProtocolError (`UNKNOWN_TYPE`, `FRAME_TOO_LARGE`,
   *   `BAD_PAYLOAD`) for a payload that cannot be sent; InvalidArgumentError for a
   *   `CHANNEL` frame; AbortError / TimeoutError.
   */
  send(conn: Connection, peerId: string, type: number, payload: unknown, opts?: AbortOptions): Promise<void> {
    let frame: Uint8Array;
    try {
      throwIfAborted(opts?.signal);
      // Encoded first: a bad payload opens no stream.
      frame = this.encode(type, payload);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.sendFrame(conn, peerId, frame, opts);
  }

  /**
   * Like {@link send} with a frame from {@link encode}: a message for several peers is
   * encoded once (pub/sub fan-out). The bytes must not change afterwards.
   */
  sendFrame(conn: Connection, peerId: string, frame: Uint8Array, opts?: AbortOptions): Promise<void> {
    let ch: OutChannel;
    try {
      throwIfAborted(opts?.signal);
      ch = this.channel(conn, peerId);
    } catch (e) {
      return Promise.reject(e);
    }
    if (ch.hasRoom(frame.byteLength)) {
      ch.queue(frame);
      return RESOLVED;
    }
    this.counters.waits++;
    if (!ch.waiting && this.events.has('full')) this.events.emit('full', { peerId });
    return ch.wait(frame, opts);
  }

  /**
   * Like {@link send} for producers that must not wait: false (and nothing sent) when the
   * peer's queue is full.
   * @throws ChannelError `CHANNEL_CLOSED` after close(); ProtocolError / InvalidArgumentError
   *   for a payload or type that cannot be sent (as {@link send}; checked only when there is room).
   */
  trySend(conn: Connection, peerId: string, type: number, payload: unknown): boolean {
    // Checked before encoding too, so a full queue costs no encoding.
    if (this.channel(conn, peerId).hasRoom(1))
      return this.trySendFrame(conn, peerId, this.encode(type, payload));
    this.counters.full++;
    return false;
  }

  /** Like {@link trySend} with a frame from {@link encode} (encoded once for several peers). */
  trySendFrame(conn: Connection, peerId: string, frame: Uint8Array): boolean {
    if (this.offer(conn, peerId, frame)) return true;
    this.counters.full++;
    return false;
  }

  /**
   * Queues an encoded `frame` if the peer's queue has room now; false (nothing queued,
   * nothing counted) when it has not, so the caller can fall back to {@link sendFrame}.
   */
  offer(conn: Connection, peerId: string, frame: Uint8Array): boolean {
    const ch = this.channel(conn, peerId);
    if (!ch.hasRoom(frame.byteLength)) return false;
    ch.queue(frame);
    return true;
  }

  /** Bytes queued for `peerId` and not yet drained by its stream. */
  queued(peerId: string): number {
    return this.out.get(peerId)?.queued ?? 0;
  }

  /**
   * How long ago (ms) messages last crossed the channels with `peerId`, either way;
   * undefined when none did while connected. The topology keeps such connections.
   */
  idleMs(peerId: string): number | undefined {
    const at = this.lastActive.get(peerId);
    return at === undefined ? undefined : this.clock.now() - at;
  }

  /** Drops the channels with `peerId`, both directions (call when the peer disconnects). */
  peerDisconnected(peerId: string): void {
    this.lastActive.delete(peerId);
    this.out.get(peerId)?.fail('peer disconnected');
    for (const [stream, id] of this.incoming) if (id === peerId) stream.reset(ChannelResetCode.CANCELLED);
  }

  /** Subscribes to channel events; returns the unsubscribe function. */
  on<K extends keyof ChannelEvents>(event: K, listener: (e: ChannelEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** A snapshot of the counters. */
  stats(): ChannelStats {
    return { ...this.counters, dropped: { ...this.counters.dropped } };
  }

  /**
   * Stops every channel (node stop): later sends reject, waiting sends reject with
   * `CHANNEL_CLOSED`, queued frames are written and outbound streams ended (reset when
   * that takes longer than `timeoutMs`, default 2 000 ms), incoming streams are reset.
   */
  close(opts: AbortOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      for (const stream of this.incoming.keys()) stream.reset(ChannelResetCode.CANCELLED);
      const ends = [...this.out.values()].map((ch) => ch.end({ timeoutMs: 2_000, ...opts }));
      await Promise.all(ends);
    })();
    return this.closing;
  }

  private channel(conn: Connection, peerId: string): OutChannel {
    if (this.closing) throw new ChannelError('CHANNEL_CLOSED', 'channels are closed');
    let ch = this.out.get(peerId);
    if (ch?.conn === conn) return ch;
    // A new connection to the peer replaces the old one: so does its channel.
    ch?.fail('connection replaced');
    ch = new OutChannel(conn, peerId, this.outCtx);
    this.out.set(peerId, ch);
    this.counters.opened++;
    this.counters.openOut++;
    this.events.emit('open', { peerId, direction: 'out' });
    ch.start();
    return ch;
  }

  /** One frame of `type` as channels send it. @throws ProtocolError / InvalidArgumentError as {@link send}. */
  encode(type: number, payload: unknown): Uint8Array {
    if (type === FrameType.CHANNEL) throw new InvalidArgumentError('CHANNEL frames cannot be sent');
    // msgpackr would send it as `undefined`: almost certainly a caller's mistake.
    if (typeof payload === 'function') throw new ProtocolError('BAD_PAYLOAD', 'a function is not a payload');
    return this.encoder.encode(type, payload);
  }
}
