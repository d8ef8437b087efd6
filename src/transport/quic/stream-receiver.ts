// The receive side of a connection's streams: delivers quiche's stream data to each
// BaseStream, surfaces the streams the peer opens, and reads the server's acceptance.

import type { BaseStream } from '../base-stream.js';
import { STREAM_REFUSED_CODE } from '../codes.js';
import { type QuicheConnection, streamErrorCode } from './native.js';
import { ACCEPT_STREAM, IdTracker } from './stream-ids.js';
import type { StreamTable, StreamTableHooks } from './stream-table.js';

/** Above this many receiving streams, one full scan is cheaper than probing each. */
const PROBE_LIMIT = 64;

export class StreamReceiver {
  private readonly remoteBidi: IdTracker;
  private readonly remoteUni: IdTracker;
  private readonly scratch = Buffer.allocUnsafe(64 * 1024);
  accepted = 0;

  constructor(
    private readonly conn: QuicheConnection,
    private readonly role: 'client' | 'server',
    private readonly table: StreamTable,
    /** The table's streams, by id (shared, not copied). */
    private readonly streams: ReadonlyMap<number, BaseStream>,
    /** Streams whose read side is open and not stalled: checked one by one after each recv (shared with the table). */
    private readonly receiving: Set<BaseStream>,
    private readonly hooks: StreamTableHooks,
  ) {
    const c = role === 'client' ? 0 : 1;
    this.remoteBidi = new IdTracker(1 - c);
    this.remoteUni = new IdTracker(3 - c);
    if (role === 'client') this.remoteUni.firstSight(ACCEPT_STREAM);
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
    const s = this.table.create(id, uni, 'remote');
    if (!this.hooks.surface(s)) {
      s.reset(STREAM_REFUSED_CODE);
      return undefined;
    }
    this.accepted++;
    return s;
  }

  /** Moves what quiche holds for `s` into its read buffer, until it is full. */
  pull(s: BaseStream): void {
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
      // A copy (the scratch buffer is reused for the next read) carved from Node's buffer
      // pool rather than an ArrayBuffer of its own each, handed out as a plain Uint8Array.
      if (n > 0) {
        const b = Buffer.allocUnsafe(n);
        this.scratch.copy(b, 0, 0, n);
        s.pushData(new Uint8Array(b.buffer, b.byteOffset, n));
      }
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
}
