// The send/open side of a connection's streams: opens local streams (waiting for
// stream credit instead of failing) and moves queued writes into quiche.

import { raceAbort, throwIfAborted } from '../../runtime/index.js';
import type { BaseStream } from '../base-stream.js';
import type { ConnectionClosedError } from '../errors.js';
import type { StreamOpenOptions } from '../types.js';
import { type QuicheConnection, streamErrorCode } from './native.js';
import { ACCEPT_STREAM } from './stream-ids.js';
import type { StreamTable } from './stream-table.js';

const EMPTY = new Uint8Array(0);
/** Queued chunks smaller than this are copied together into one streamSend. */
const GATHER_BELOW = 16 * 1024;

interface OpenWaiter {
  uni: boolean;
  resolve: (s: BaseStream) => void;
  reject: (e: unknown) => void;
}

export class StreamSender {
  private waiters: OpenWaiter[] = [];
  private nextBidi: number;
  private nextUni: number;
  private readonly sendScratch = Buffer.allocUnsafe(64 * 1024);
  private lost: ConnectionClosedError | undefined;
  opened = 0;

  constructor(
    private readonly conn: QuicheConnection,
    role: 'client' | 'server',
    private readonly table: StreamTable,
    /** Streams with writes or a FIN queued (shared with the table). */
    private readonly dirty: Set<BaseStream>,
  ) {
    this.nextBidi = role === 'client' ? 0 : 1;
    this.nextUni = role === 'client' ? 2 : ACCEPT_STREAM + 4;
  }

  /** Server: tell the client it was accepted (queued with HANDSHAKE_DONE in the next flush). */
  sendAccept(): void {
    try {
      this.conn.streamSend(ACCEPT_STREAM, EMPTY, true);
    } catch {
      // Only a peer that allows no unidirectional stream gets here: its dial then times out.
    }
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
    const s = this.table.create(id, uni, 'local');
    this.opened++;
    return s;
  }

  /** The connection is gone: fail every waiting opener, and every later open. */
  connectionLost(err: ConnectionClosedError): void {
    this.lost = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
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
}
