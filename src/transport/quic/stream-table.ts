import type { Clock } from '../../runtime/index.js';
import { BaseStream, type StreamDriver } from '../base-stream.js';
import type { ConnectionClosedError } from '../errors.js';
import { type QuicheConnection, Shutdown } from './native.js';
import { StreamReceiver } from './stream-receiver.js';
import { StreamSender } from './stream-sender.js';

export interface StreamTableHooks {
  /** Ask the connection to run its send loop soon (coalesces with other writes this tick). */
  scheduleFlush(): void;
  /** A stream the peer opened; false when the application's queue is full. */
  surface(stream: BaseStream): boolean;
}

/**
 * The streams of one quiche connection: moves bytes between quiche and each
 * BaseStream, opens local streams (waiting for stream credit instead of failing)
 * and surfaces the peer's. The table owns the stream map and is every stream's
 * driver; the work is done by its two sides, `rx` (stream-receiver.ts) and `tx`
 * (stream-sender.ts), which share the map and sets below by reference.
 */
export class StreamTable implements StreamDriver {
  private readonly streams = new Map<number, BaseStream>();
  /** Streams with writes or a FIN queued: drained by `tx.flushWrites`. */
  private readonly dirty = new Set<BaseStream>();
  /** Streams whose read side is open and not stalled: checked one by one after each recv. */
  private readonly receiving = new Set<BaseStream>();
  readonly rx: StreamReceiver;
  readonly tx: StreamSender;

  constructor(
    private readonly conn: QuicheConnection,
    role: 'client' | 'server',
    private readonly highWaterMark: number,
    private readonly hooks: StreamTableHooks,
    private readonly clock: Clock,
  ) {
    this.rx = new StreamReceiver(conn, role, this, this.streams, this.receiving, hooks);
    this.tx = new StreamSender(conn, role, this, this.dirty);
  }

  get size(): number {
    return this.streams.size;
  }

  /** A new stream (ours or the peer's), tracked until it closes. */
  create(id: number, uni: boolean, initiator: 'local' | 'remote'): BaseStream {
    const s = new BaseStream(id, uni, initiator, this, this.highWaterMark, this.clock);
    this.streams.set(s.id, s);
    if (!(s.unidirectional && s.initiator === 'local')) this.receiving.add(s);
    s.closed.then(
      () => {
        this.streams.delete(s.id);
        this.dirty.delete(s);
        this.receiving.delete(s);
      },
      () => {},
    );
    return s;
  }

  // ---- StreamDriver ----

  wantsWrite(s: BaseStream): void {
    this.dirty.add(s);
    this.hooks.scheduleFlush();
  }

  wantsRead(s: BaseStream): void {
    this.receiving.add(s);
    this.rx.pull(s);
    // Reading freed flow-control credit: the peer must hear about it.
    this.hooks.scheduleFlush();
  }

  reset(s: BaseStream, code: number): void {
    this.dirty.delete(s);
    this.receiving.delete(s);
    this.streams.delete(s.id);
    for (const dir of [Shutdown.Read, Shutdown.Write]) {
      try {
        this.conn.streamShutdown(s.id, dir, code);
      } catch {
        // Already finished in that direction: nothing to tell the peer.
      }
    }
    this.hooks.scheduleFlush();
  }

  /** The connection is gone: fail every stream and waiting opener. */
  connectionLost(err: ConnectionClosedError): void {
    this.tx.connectionLost(err);
    for (const s of [...this.streams.values()]) s.connectionLost(err);
    this.streams.clear();
    this.dirty.clear();
    this.receiving.clear();
  }
}
