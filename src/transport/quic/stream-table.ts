import { type Clock, raceAbort, throwIfAborted } from '../../runtime/index.js';
import { BaseStream, type StreamDriver } from '../base-stream.js';
import { STREAM_REFUSED_CODE } from '../codes.js';
import type { ConnectionClosedError } from '../errors.js';
import type { StreamOpenOptions } from '../types.js';
import { type QuicheConnection, Shutdown, streamErrorCode } from './native.js';

/**
 * The server's first unidirectional stream, finished empty right after it verified the
 * client: the client's proof of acceptance (TLS 1.3 lets a client finish its handshake
 * before the server has checked the client certificate). Never shown to applications.
 */
const ACCEPT_STREAM = 3;

const EMPTY = new Uint8Array(0);
/** Queued chunks smaller than this are copied together into one streamSend. */
const GATHER_BELOW = 16 * 1024;
/** Above this many receiving streams, one full scan is cheaper than probing each. */
const PROBE_LIMIT = 64;

export interface StreamTableHooks {
  /** Ask the connection to run its send loop soon (coalesces with other writes this tick). */
  scheduleFlush(): void;
  /** A stream the peer opened; false when the application's queue is full. */
  surface(stream: BaseStream): boolean;
}

/** Remote stream ids are opened in order per type; remembers which were already seen. */
class IdTracker {
  private above = new Set<number>();
  /** The lowest id not seen yet: where a new peer stream most likely shows up. */
  constructor(public next: number) {}
  /** True (and marks it) the first time an id shows up. */
  firstSight(id: number): boolean {
    if (id < this.next || this.above.has(id)) return false;
    if (id !== this.next) {
      this.above.add(id);
      return true;
    }
    this.next += 4;
    while (this.above.delete(this.next)) this.next += 4;
    return true;
  }
}

interface OpenWaiter {
  uni: boolean;
  resolve: (s: BaseStream) => void;
  reject: (e: unknown) => void;
}

/**
 * The streams of one quiche connection: moves bytes between quiche and each
 * BaseStream, opens local streams (waiting for stream credit instead of failing)
 * and surfaces the peer's.
 */
export class StreamTable implements StreamDriver {
  private readonly streams = new Map<number, BaseStream>();
  private readonly dirty = new Set<BaseStream>();
  /** Streams whose read side is open and not stalled: checked one by one after each recv. */
  private readonly receiving = new Set<BaseStream>();
  private waiters: OpenWaiter[] = [];
  private nextBidi: number;
  private nextUni: number;
  private readonly remoteBidi: IdTracker;
  private readonly remoteUni: IdTracker;
  private readonly scratch = Buffer.allocUnsafe(64 * 1024);
  private readonly sendScratch = Buffer.allocUnsafe(64 * 1024);
  private lost: ConnectionClosedError | undefined;
  opened = 0;
  accepted = 0;

  constructor(
    private readonly conn: QuicheConnection,
    private readonly role: 'client' | 'server',
    private readonly highWaterMark: number,
    private readonly hooks: StreamTableHooks,
    private readonly clock: Clock,
  ) {
    const c = role === 'client' ? 0 : 1;
    this.nextBidi = c;
    this.nextUni = role === 'client' ? 2 : ACCEPT_STREAM + 4;
    this.remoteBidi = new IdTracker(1 - c);
    this.remoteUni = new IdTracker(3 - c);
    if (role === 'client') this.remoteUni.firstSight(ACCEPT_STREAM);
  }

  /** Server: tell the client it was accepted (queued with HANDSHAKE_DONE in the next flush). */
  sendAccept(): void {
    try {
      this.conn.streamSend(ACCEPT_STREAM, EMPTY, true);
    } catch {
      // Only a peer that allows no unidirectional stream gets here: its dial then times out.
    }
  }

  /** Client: true once the server's acceptance arrived. */
  acceptReceived(): boolean {
    try {
      for (;;) {
        const r = this.conn.streamRecv(ACCEPT_STREAM, this.scratch);
        if (r === null) return false;
        if (r[1]) return true;
      }
    } catch {
      return false;
    }
  }

  get size(): number {
    return this.streams.size;
  }

  // ---- StreamDriver ----

  wantsWrite(s: BaseStream): void {
    this.dirty.add(s);
    this.hooks.scheduleFlush();
  }

  wantsRead(s: BaseStream): void {
    this.receiving.add(s);
    this.pull(s);
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

  // ---- opening ----

  open(opts: StreamOpenOptions | undefined): Promise<BaseStream> {
    if (this.lost) return Promise.reject(this.lost);
    throwIfAborted(opts?.signal);
    const uni = opts?.unidirectional ?? false;
    if (this.waiters.length === 0) {
      const s = this.tryOpen(uni);
      if (s) return Promise.resolve(s);
    }
    let waiter!: OpenWaiter;
    const p = new Promise<BaseStream>((resolve, reject) => {
      waiter = { uni, resolve, reject };
      this.waiters.push(waiter);
    });
    return raceAbort(p, opts?.signal, () => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
    });
  }

  /** Wakes waiting openers once the peer granted more streams (MAX_STREAMS). */
  serveOpenWaiters(): void {
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      const s = this.tryOpen(w.uni);
      if (!s) return;
      this.waiters.shift();
      w.resolve(s);
    }
  }

  private tryOpen(uni: boolean): BaseStream | null {
    const left = uni ? this.conn.peerStreamsLeftUni() : this.conn.peerStreamsLeftBidi();
    if (left <= 0) return null;
    const id = uni ? this.nextUni : this.nextBidi;
    // Creating the stream in quiche now makes it count against the peer's limit at once.
    this.conn.streamPriority(id, 127, true);
    if (uni) this.nextUni += 4;
    else this.nextBidi += 4;
    const s = this.track(new BaseStream(id, uni, 'local', this, this.highWaterMark, this.clock));
    this.opened++;
    return s;
  }

  private track(s: BaseStream): BaseStream {
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

  // ---- receiving ----

  /**
   * After a recv: deliver data on every readable stream and surface new ones.
   * quiche's readable() iterator costs ~20 µs a call, so known streams are checked one
   * by one (~0.1 µs each) and new peer streams at their next expected id; the full scan
   * runs only when something readable is still unaccounted for (out-of-order new
   * streams, stalled readers, data for forgotten streams).
   */
  processReadable(): void {
    if (this.receiving.size > PROBE_LIMIT) {
      this.fullScan();
      return;
    }
    for (const s of this.receiving) {
      if (this.conn.streamReadable(s.id)) this.pull(s);
    }
    this.probeNew(this.remoteBidi);
    this.probeNew(this.remoteUni);
    if (this.conn.isReadable()) this.fullScan();
  }

  private probeNew(ids: IdTracker): void {
    while (this.conn.streamReadable(ids.next)) {
      const s = this.remoteStream(ids.next);
      if (!s) return;
      this.pull(s);
    }
  }

  private fullScan(): void {
    for (const id of this.conn.readable()) {
      const s = this.streams.get(id) ?? this.remoteStream(id);
      if (s) this.pull(s);
      else this.discard(id);
    }
  }

  private remoteStream(id: number): BaseStream | undefined {
    const initiatedByPeer = (id & 1) === (this.role === 'client' ? 1 : 0);
    if (!initiatedByPeer) return undefined;
    const uni = (id & 2) !== 0;
    if (!(uni ? this.remoteUni : this.remoteBidi).firstSight(id)) return undefined;
    const s = this.track(new BaseStream(id, uni, 'remote', this, this.highWaterMark, this.clock));
    if (!this.hooks.surface(s)) {
      s.reset(STREAM_REFUSED_CODE);
      return undefined;
    }
    this.accepted++;
    return s;
  }

  private pull(s: BaseStream): void {
    while (s.readRoom > 0) {
      let r: [number, boolean] | null;
      try {
        r = this.conn.streamRecv(s.id, this.scratch);
      } catch (e) {
        const code = streamErrorCode(e, 'StreamReset');
        if (code !== null) this.peerReset(s, code);
        return;
      }
      if (r === null) return;
      const [n, fin] = r;
      // A copy: the scratch buffer is reused for the next read.
      if (n > 0) s.pushData(new Uint8Array(this.scratch.subarray(0, n)));
      if (fin) {
        s.pushFin();
        this.receiving.delete(s);
        return;
      }
    }
    s.readStalled = true;
    this.receiving.delete(s);
  }

  private peerReset(s: BaseStream, code: number): void {
    this.receiving.delete(s);
    s.peerReset(code);
    // The peer resets both directions together; learn about STOP_SENDING now, not at the next write.
    try {
      this.conn.streamCapacity(s.id);
    } catch (e) {
      // StreamStopped carries the peer's code; any other error means quiche already
      // collected the stream, so our write side is over too.
      s.peerStopSending(streamErrorCode(e, 'StreamStopped') ?? code);
    }
  }

  /** Data for a stream we already forgot (reset or refused): drop it. */
  private discard(id: number): void {
    try {
      while (this.conn.streamRecv(id, this.scratch) !== null);
    } catch {
      // Reset or finished: nothing left to drain.
    }
  }

  // ---- sending ----

  /** Moves queued writes into quiche, as far as flow control allows. */
  flushWrites(): void {
    for (const s of this.dirty) {
      if (this.writeOut(s)) this.dirty.delete(s);
    }
  }

  /** True when nothing remains queued for this stream. */
  private writeOut(s: BaseStream): boolean {
    try {
      for (;;) {
        const head = s.peekWrite();
        if (!head) {
          if (!s.finPending) return true;
          if (this.conn.streamSend(s.id, EMPTY, true) === null) return false;
          s.finSent();
          return true;
        }
        // Many small writes become one native call; a big chunk goes as it is (no copy).
        const data = s.queuedChunks > 1 && head.byteLength < GATHER_BELOW ? this.gathered(s) : head;
        const fin = s.finQueued && data.byteLength === s.writableLength;
        const n = this.conn.streamSend(s.id, data, fin);
        if (n === null || n === 0) return false;
        s.consumeWrite(n);
        if (n < data.byteLength) return false;
        if (fin) {
          s.finSent();
          return true;
        }
      }
    } catch (e) {
      const code = streamErrorCode(e, 'StreamStopped');
      s.peerStopSending(code ?? 0);
      return true;
    }
  }

  private gathered(s: BaseStream): Uint8Array {
    return this.sendScratch.subarray(0, s.gatherWrite(this.sendScratch));
  }

  /** The connection is gone: fail every stream and waiting opener. */
  connectionLost(err: ConnectionClosedError): void {
    this.lost = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
    for (const s of [...this.streams.values()]) s.connectionLost(err);
    this.streams.clear();
    this.dirty.clear();
    this.receiving.clear();
  }
}
