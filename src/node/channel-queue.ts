/** The bounded send queue of one outbound channel: batched bytes plus the sends waiting for room. */
import { type AbortOptions, type Clock, raceAbort, withDeadline } from '../runtime/index.js';
import { BatchBuffer } from './channel-buffer.js';

interface Waiter {
  frame: Uint8Array;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Queued bytes are those not yet written plus those written and not yet drained by the
 * stream (`inFlight`, kept by the owner); they stay under `max`, except that a frame
 * larger than `max` is let through alone when nothing is queued (or it would wait forever).
 * Waiting sends are admitted strictly in order, and a new frame never overtakes them.
 */
export class SendQueue {
  private readonly buf = new BatchBuffer();
  private waiters: Waiter[] = [];
  /** Frames in the buffer (not yet taken). */
  frames = 0;
  /** Bytes taken by the owner's current write and not yet drained by the stream. */
  inFlight = 0;

  constructor(
    private readonly max: number,
    private readonly clock: Clock,
    /** Told when a waiting send was admitted other than through {@link admit} (one gave up). */
    private readonly onAdmitted: () => void,
  ) {}

  /** Bytes not yet taken. */
  get pending(): number {
    return this.buf.pending;
  }

  /** Bytes queued and not yet drained. */
  get queued(): number {
    return this.buf.pending + this.inFlight;
  }

  /** True when some send is waiting for room. */
  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** True when a frame of `size` bytes may be queued now (never ahead of a waiting send). */
  hasRoom(size: number): boolean {
    return this.waiters.length === 0 && this.fits(size);
  }

  /** Queues `frame` (the caller checked {@link hasRoom}). */
  push(frame: Uint8Array): void {
    this.buf.append(frame);
    this.frames++;
  }

  /** The next region to write, in order, or undefined. */
  take(): Uint8Array | undefined {
    return this.buf.take();
  }

  /** Waits for room (after every send already waiting), then queues `frame`. */
  wait(frame: Uint8Array, opts: AbortOptions | undefined): Promise<void> {
    return withDeadline(this.clock, opts, 'channel send', (signal) => {
      let waiter!: Waiter;
      const p = new Promise<void>((resolve, reject) => {
        waiter = { frame, resolve, reject };
        this.waiters.push(waiter);
      });
      return raceAbort(p, signal, () => {
        const i = this.waiters.indexOf(waiter);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        // The one giving up may have been the head that did not fit.
        if (i === 0 && this.admit() > 0) this.onAdmitted();
      });
    });
  }

  /** Queues the waiting sends that fit now, in order; returns how many. */
  admit(): number {
    let n = 0;
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      if (!this.fits(w.frame.byteLength)) break;
      this.waiters.shift();
      this.push(w.frame);
      w.resolve();
      n++;
    }
    return n;
  }

  /** Rejects every waiting send with `err`. */
  rejectWaiters(err: unknown): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  /** Forgets what is queued; returns how many frames that was. */
  clear(): number {
    const n = this.frames;
    this.frames = 0;
    this.buf.clear();
    return n;
  }

  private fits(size: number): boolean {
    const q = this.buf.pending + this.inFlight;
    return q === 0 || q + size <= this.max;
  }
}
