import type { AbortOptions, Clock } from '../../runtime/index.js';
import type { BaseStream, StreamDriver } from '../base-stream.js';
import { STREAM_REFUSED_CODE } from '../codes.js';
import type { ConnectionClosedError } from '../errors.js';
import type { Stream } from '../types.js';
import { MemStream, streamId } from './mem-stream.js';
import { OpenSlots, type SlotOwner, type StreamKind } from './open-slots.js';
import type { Frame } from './packets.js';
import { drainStream, type FrameSink, grantCredit } from './stream-flow.js';

/** What the stream layer needs from its connection. */
export interface StreamHost {
  readonly role: 'client' | 'server';
  readonly clock: Clock;
  /** Frames are waiting: flush soon (batched). */
  wake(): void;
  /** Hands a peer-opened stream to the application; false when the accept queue is full. */
  incoming(s: Stream): boolean;
  /** An incoming stream was refused for lack of room. */
  refused(): void;
}

/**
 * The streams of one connection: ids, the peer's stream limits, credit-based flow
 * control (the receiver grants what its read buffer can hold, so a slow reader stalls
 * the writer), and batching of queued writes into data frames.
 */
export class StreamSet implements StreamDriver, SlotOwner<MemStream> {
  private readonly streams = new Map<number, MemStream>();
  /** Streams with queued bytes or FIN (each flagged `queuedWrite`, so listed once). */
  private writable: MemStream[] = [];
  /** Streams owing the peer a credit update (flagged `queuedCredit`). */
  private credits: MemStream[] = [];
  private control: Frame[] = [];
  private limitsDirty = false;
  /** Cumulative number of streams of each kind we let the peer open. */
  private grantedBidi: number;
  private grantedUni: number;
  private readonly slots: OpenSlots<MemStream>;
  private readonly grantThreshold: number;
  private peerWindow = 0;
  private error: ConnectionClosedError | undefined;
  opened = 0;
  accepted = 0;

  constructor(
    private readonly host: StreamHost,
    private readonly highWaterMark: number,
    maxIncomingStreams: number,
  ) {
    this.grantedBidi = maxIncomingStreams;
    this.grantedUni = maxIncomingStreams;
    this.grantThreshold = Math.max(1, Math.floor(highWaterMark / 2));
    this.slots = new OpenSlots(host.clock, this);
  }

  /** The handshake told us the peer's window and stream limits. */
  start(peerWindow: number, peerMaxStreams: number): void {
    this.peerWindow = peerWindow;
    this.slots.raise(peerMaxStreams, peerMaxStreams);
  }

  open(unidirectional: boolean, opts?: AbortOptions): Promise<Stream> {
    return this.slots.open(unidirectional ? 1 : 0, opts);
  }

  onFrame(f: Frame): void {
    if (this.error) return;
    switch (f.t) {
      case 'open':
        this.onOpen(f.id);
        return;
      case 'data': {
        const s = this.streams.get(f.id);
        if (!s) return; // a stream we already forgot (reset or done)
        if (f.data) {
          s.recvOffset += f.data.byteLength;
          s.pushData(f.data);
          this.maybeGrant(s);
        }
        if (f.fin) {
          s.finReceived = true;
          s.pushFin();
        }
        return;
      }
      case 'credit': {
        const s = this.streams.get(f.id);
        if (!s || f.max <= s.sendMax) return;
        s.sendMax = f.max;
        if (s.peekWrite() || s.finPending) this.wantsWrite(s);
        return;
      }
      case 'reset': {
        const s = this.streams.get(f.id);
        s?.peerReset(f.code);
        s?.peerStopSending(f.code);
        return;
      }
      case 'limits':
        this.slots.raise(f.bidi, f.uni);
        return;
    }
  }

  /** Moves pending control frames and sendable data into `sink`. */
  collect(sink: FrameSink): void {
    for (const f of this.control) sink.add(f);
    this.control = [];
    if (this.limitsDirty) {
      this.limitsDirty = false;
      sink.add({ t: 'limits', bidi: this.grantedBidi, uni: this.grantedUni });
    }
    const credits = this.credits;
    this.credits = [];
    for (const s of credits) {
      s.queuedCredit = false;
      if (!s.isDone) sink.add({ t: 'credit', id: s.id, max: s.recvMax });
    }
    const writable = this.writable;
    this.writable = [];
    for (const s of writable) {
      s.queuedWrite = false;
      drainStream(s, sink);
    }
  }

  /** The connection is gone: every stream and opener fails with `err`. */
  fail(err: ConnectionClosedError): void {
    if (this.error) return;
    this.error = err;
    this.slots.fail(err);
    for (const s of [...this.streams.values()]) s.connectionLost(err);
    this.streams.clear();
    this.writable = [];
    this.credits = [];
    this.control = [];
  }

  // ---- StreamDriver ----

  wantsWrite(stream: BaseStream): void {
    const s = stream as MemStream;
    if (this.error || s.queuedWrite) return;
    s.queuedWrite = true;
    this.writable.push(s);
    this.host.wake();
  }

  wantsRead(stream: BaseStream): void {
    this.maybeGrant(stream as MemStream);
  }

  reset(stream: BaseStream, code: number): void {
    if (this.error) return;
    this.control.push({ t: 'reset', id: stream.id, code });
    this.host.wake();
  }

  // ---- SlotOwner ----

  createLocal(kind: StreamKind, index: number): MemStream {
    const uni = kind === 1;
    const s = new MemStream(streamId(index, uni, this.host.role), uni, 'local', this, this.highWaterMark);
    s.sendMax = this.peerWindow;
    s.recvMax = uni ? 0 : this.highWaterMark;
    this.register(s);
    this.opened++;
    this.control.push({ t: 'open', id: s.id });
    this.host.wake();
    return s;
  }

  discard(s: MemStream): void {
    s.reset(0);
  }

  // ---- internals ----

  private onOpen(id: number): void {
    const uni = (id & 2) !== 0;
    const s = new MemStream(id, uni, 'remote', this, this.highWaterMark);
    s.sendMax = uni ? 0 : this.peerWindow;
    s.recvMax = this.highWaterMark;
    this.register(s);
    if (this.host.incoming(s)) {
      this.accepted++;
    } else {
      this.host.refused();
      s.reset(STREAM_REFUSED_CODE);
    }
  }

  private register(s: MemStream): void {
    this.streams.set(s.id, s);
    void s.closed.then(() => this.forget(s));
  }

  /** Both directions are over: drop the stream, and give the peer its slot back if it opened it. */
  private forget(s: MemStream): void {
    if (this.streams.get(s.id) !== s) return;
    this.streams.delete(s.id);
    if (s.initiator === 'remote' && !this.error) {
      if (s.unidirectional) this.grantedUni++;
      else this.grantedBidi++;
      this.limitsDirty = true;
      this.host.wake();
    }
  }

  /** Queues a credit update once granting is worth it; else BaseStream tells us when the reader frees room. */
  private maybeGrant(s: MemStream): void {
    if (this.error || !grantCredit(s, this.grantThreshold) || s.queuedCredit) return;
    s.queuedCredit = true;
    this.credits.push(s);
    this.host.wake();
  }
}
