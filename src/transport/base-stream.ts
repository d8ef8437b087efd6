import {
  type AbortOptions,
  type Clock,
  raceAbort,
  systemClock,
  throwIfAborted,
  withDeadline,
} from '../runtime/index.js';
import { type ConnectionClosedError, StreamResetError, TransportUsageError } from './errors.js';
import type { Stream, StreamCloseInfo } from './types.js';

/** What a transport implements under {@link BaseStream}: the network side of a stream. */
export interface StreamDriver {
  /** The stream has bytes or a FIN queued; pull them with peekWrite/consumeWrite (may batch to the next tick). */
  wantsWrite(stream: BaseStream): void;
  /** The reader freed buffer room after the driver had stopped delivering. */
  wantsRead(stream: BaseStream): void;
  /** We reset the stream: tell the peer (RESET_STREAM and STOP_SENDING). */
  reset(stream: BaseStream, code: number): void;
}

type Waiter = { resolve: () => void; reject: (e: unknown) => void; untilFin: boolean };

/**
 * The application-facing half of a stream, shared by every transport so they behave
 * identically: a bounded read buffer (the driver stops pulling when it is full, so the
 * peer runs out of flow-control credit) and a bounded write queue whose promises are
 * the backpressure signal.
 */
export class BaseStream implements Stream {
  private rq: Uint8Array[] = [];
  private rHead = 0;
  private rBytes = 0;
  private rFin = false;
  private rDone: boolean;
  private rErr: Error | undefined;
  private rWaiter: { resolve: (c: Uint8Array | null) => void; reject: (e: unknown) => void } | undefined;
  /** Set by the driver when it stopped delivering because the buffer was full. */
  readStalled = false;

  private wq: Uint8Array[] = [];
  private wHead = 0;
  private wBytes = 0;
  private wFinQueued = false;
  private wDone: boolean;
  private wErr: Error | undefined;
  private drainWaiters: Waiter[] = [];

  private resetCode: number | undefined;
  private resolveClosed!: (info: StreamCloseInfo) => void;
  private isClosed = false;
  readonly closed: Promise<StreamCloseInfo>;

  constructor(
    readonly id: number,
    readonly unidirectional: boolean,
    readonly initiator: 'local' | 'remote',
    private readonly driver: StreamDriver,
    readonly highWaterMark: number,
    private readonly clock: Clock = systemClock,
  ) {
    // A unidirectional stream has only one side; the other is done from the start.
    this.rDone = unidirectional && initiator === 'local';
    this.wDone = unidirectional && initiator === 'remote';
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
  }

  // ---- application side ----

  get writableLength(): number {
    return this.wBytes;
  }

  read(opts?: AbortOptions): Promise<Uint8Array | null> {
    if (this.rHead < this.rq.length) return Promise.resolve(this.shiftRead());
    if (opts?.timeoutMs !== undefined) {
      return withDeadline(this.clock, opts, 'Stream read', (signal) => this.read({ signal }));
    }
    if (this.rErr) return Promise.reject(this.rErr);
    if (this.rFin || this.rDone) {
      this.finishRead();
      return Promise.resolve(null);
    }
    if (this.rWaiter)
      return Promise.reject(new TransportUsageError('read() is already pending on this stream'));
    const p = new Promise<Uint8Array | null>((resolve, reject) => {
      this.rWaiter = { resolve, reject };
    });
    return raceAbort(p, opts?.signal, () => {
      this.rWaiter = undefined;
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = await this.read();
      if (chunk === null) return;
      yield chunk;
    }
  }

  write(data: Uint8Array, opts?: AbortOptions): Promise<void> {
    if (this.wErr) return Promise.reject(this.wErr);
    if (this.wFinQueued || this.wDone) return Promise.reject(new TransportUsageError('write after end'));
    if (data.byteLength > 0) {
      this.wq.push(data);
      this.wBytes += data.byteLength;
      this.driver.wantsWrite(this);
    }
    return this.waitDrain(false, opts);
  }

  async end(data?: Uint8Array, opts?: AbortOptions): Promise<void> {
    if (data && data.byteLength > 0) await this.write(data, opts);
    if (this.wErr) throw this.wErr;
    if (this.wDone || this.wFinQueued) return;
    this.wFinQueued = true;
    this.driver.wantsWrite(this);
    await this.waitDrain(true, opts);
  }

  reset(code = 0): void {
    if (this.isClosed) return;
    const err = new StreamResetError(code, `Stream reset locally with code ${code}`);
    this.driver.reset(this, code);
    this.failRead(err);
    this.failWrite(err);
    this.settle({ kind: 'reset', code });
  }

  // ---- driver side: reading ----

  /** Free room in the read buffer; the driver delivers only while this is positive. */
  get readRoom(): number {
    return this.highWaterMark - this.rBytes;
  }

  /** The driver delivers received bytes (it owns nothing after this call). */
  pushData(chunk: Uint8Array): void {
    if (this.rDone || this.rErr || chunk.byteLength === 0) return;
    const w = this.rWaiter;
    if (w) {
      this.rWaiter = undefined;
      w.resolve(chunk);
      return;
    }
    this.rq.push(chunk);
    this.rBytes += chunk.byteLength;
  }

  /** The peer finished its side. */
  pushFin(): void {
    if (this.rFin) return;
    this.rFin = true;
    const w = this.rWaiter;
    if (w && this.rHead >= this.rq.length) {
      this.rWaiter = undefined;
      this.finishRead();
      w.resolve(null);
    }
  }

  /** The peer reset its sending side (RESET_STREAM). */
  peerReset(code: number): void {
    this.failRead(new StreamResetError(code, `Stream reset by peer with code ${code}`));
    this.maybeClose('reset', code);
  }

  /** The peer asked us to stop sending (STOP_SENDING); our writes fail from now on. */
  peerStopSending(code: number): void {
    this.failWrite(new StreamResetError(code, `Peer stopped reading with code ${code}`));
    this.maybeClose('reset', code);
  }

  /** The connection is gone: everything pending fails. */
  connectionLost(err: ConnectionClosedError): void {
    if (this.isClosed) return;
    this.failRead(err);
    this.failWrite(err);
    this.settle({ kind: 'connection' });
  }

  // ---- driver side: writing ----

  /** Next queued chunk to send, or undefined. */
  peekWrite(): Uint8Array | undefined {
    return this.wHead < this.wq.length ? this.wq[this.wHead] : undefined;
  }

  /** Number of queued chunks (the driver gathers many small ones into one send). */
  get queuedChunks(): number {
    return this.wq.length - this.wHead;
  }

  /** `end()` was called: a FIN follows the queued bytes. */
  get finQueued(): boolean {
    return this.wFinQueued && !this.wDone;
  }

  /** FIN queued and nothing left to send but it. */
  get finPending(): boolean {
    return this.wFinQueued && !this.wDone && this.wHead >= this.wq.length;
  }

  /** Copies queued bytes into `out` (as many as fit) without consuming them; returns the count. */
  gatherWrite(out: Uint8Array): number {
    let n = 0;
    for (let i = this.wHead; i < this.wq.length && n < out.byteLength; i++) {
      const c = this.wq[i]!;
      const take = Math.min(c.byteLength, out.byteLength - n);
      out.set(take === c.byteLength ? c : c.subarray(0, take), n);
      n += take;
    }
    return n;
  }

  /** The driver sent `n` queued bytes (any number of chunks, the last possibly in part). */
  consumeWrite(n: number): void {
    if (n <= 0) return;
    this.wBytes -= n;
    while (n > 0 && this.wHead < this.wq.length) {
      const head = this.wq[this.wHead]!;
      if (n < head.byteLength) {
        this.wq[this.wHead] = head.subarray(n);
        break;
      }
      n -= head.byteLength;
      (this.wq as (Uint8Array | undefined)[])[this.wHead] = undefined;
      this.wHead++;
    }
    if (this.wHead === this.wq.length) {
      this.wq = [];
      this.wHead = 0;
    }
    this.releaseDrain();
  }

  /** The driver handed the FIN to the network. */
  finSent(): void {
    this.wDone = true;
    this.wBytes = 0;
    this.releaseDrain();
    this.maybeClose('finished');
  }

  get writeFailed(): boolean {
    return this.wErr !== undefined;
  }

  // ---- internals ----

  private shiftRead(): Uint8Array {
    const chunk = this.rq[this.rHead]!;
    (this.rq as (Uint8Array | undefined)[])[this.rHead] = undefined;
    this.rHead++;
    if (this.rHead === this.rq.length) {
      this.rq = [];
      this.rHead = 0;
    }
    this.rBytes -= chunk.byteLength;
    if (this.readStalled && this.readRoom > 0) {
      this.readStalled = false;
      this.driver.wantsRead(this);
    }
    return chunk;
  }

  private finishRead(): void {
    if (this.rDone) return;
    this.rDone = true;
    this.maybeClose('finished');
  }

  private drained(w: { untilFin: boolean }): boolean {
    return w.untilFin ? this.wDone : this.wBytes < this.highWaterMark;
  }

  private waitDrain(untilFin: boolean, opts?: AbortOptions): Promise<void> {
    if (this.drained({ untilFin })) return Promise.resolve();
    if (this.wErr) return Promise.reject(this.wErr);
    if (opts?.timeoutMs !== undefined) {
      return withDeadline(this.clock, opts, 'Stream write', (signal) => this.waitDrain(untilFin, { signal }));
    }
    throwIfAborted(opts?.signal);
    let waiter!: Waiter;
    const p = new Promise<void>((resolve, reject) => {
      waiter = { resolve, reject, untilFin };
      this.drainWaiters.push(waiter);
    });
    return raceAbort(p, opts?.signal, () => {
      const i = this.drainWaiters.indexOf(waiter);
      if (i >= 0) this.drainWaiters.splice(i, 1);
    });
  }

  private releaseDrain(): void {
    if (this.drainWaiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const w of this.drainWaiters) {
      if (this.drained(w)) w.resolve();
      else keep.push(w);
    }
    this.drainWaiters = keep;
  }

  private failRead(err: Error): void {
    if (this.rDone || this.rErr) return;
    this.rErr = err;
    this.rq = [];
    this.rHead = 0;
    this.rBytes = 0;
    const w = this.rWaiter;
    this.rWaiter = undefined;
    w?.reject(err);
  }

  private failWrite(err: Error): void {
    if (this.wDone || this.wErr) return;
    this.wErr = err;
    this.wq = [];
    this.wHead = 0;
    this.wBytes = 0;
    for (const w of this.drainWaiters.splice(0)) w.reject(err);
  }

  private maybeClose(kind: StreamCloseInfo['kind'], code?: number): void {
    if (code !== undefined) this.resetCode = code;
    const readOver = this.rDone || this.rErr !== undefined;
    const writeOver = this.wDone || this.wErr !== undefined;
    if (!readOver || !writeOver) return;
    const wasReset = kind === 'reset' || this.resetCode !== undefined;
    this.settle(wasReset ? { kind: 'reset', code: this.resetCode } : { kind });
  }

  private settle(info: StreamCloseInfo): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.resolveClosed(info.code === undefined ? { kind: info.kind } : info);
  }

  /** True once both directions are over; the driver may forget the stream. */
  get isDone(): boolean {
    return this.isClosed;
  }
}
