/** The deadline and cancellation of one call or channel request, without an AbortController on the hot path. */
import { MaculaError, TimeoutError } from '../core/index.js';
import { type Deadline, type DeadlineQueue, toAbortError } from '../runtime/index.js';

/** What a call attempt watches: why the call was given up (if it was), and one listener. */
export interface CallWatch {
  /** Set once the call is given up (deadline, caller's signal or node stop). */
  readonly reason: unknown;
  /** Fires when the call is given up; made on first use (only slow paths need it). */
  readonly signal: AbortSignal;
  /** The one listener told when the call is given up (undefined removes it). */
  watch(listener: ((reason: unknown) => void) | undefined): void;
}

/**
 * A call's scope: its deadline sits in the node's shared {@link DeadlineQueue} (one timer
 * for every call), the caller's signal is listened to only when one was given, and an
 * AbortSignal is made only for the slow paths that need one (DHT reads, routed sends).
 */
export class CallScope implements CallWatch {
  reason: unknown = undefined;
  private listener: ((reason: unknown) => void) | undefined;
  private ctl: AbortController | undefined;
  private readonly deadline: Deadline;
  private readonly onUserAbort = () => this.abort(this.user?.reason);

  constructor(
    deadlines: DeadlineQueue,
    ms: number,
    what: string,
    private readonly user: AbortSignal | undefined,
  ) {
    this.deadline = deadlines.add(ms, () => this.abort(new TimeoutError(`${what} timed out after ${ms} ms`)));
    if (!user) return;
    if (user.aborted) this.abort(user.reason);
    else user.addEventListener('abort', this.onUserAbort, { once: true });
  }

  /** Absolute deadline on the queue's clock (ms). */
  get at(): number {
    return this.deadline.at;
  }

  /** An AbortSignal that fires when the call is given up (made on first use). */
  get signal(): AbortSignal {
    if (!this.ctl) {
      this.ctl = new AbortController();
      if (this.reason !== undefined) this.ctl.abort(this.reason);
    }
    return this.ctl.signal;
  }

  watch(listener: ((reason: unknown) => void) | undefined): void {
    this.listener = listener;
  }

  /** Gives the call up with `reason` (first reason wins). */
  abort(reason: unknown): void {
    if (this.reason !== undefined) return;
    this.reason = reason ?? new MaculaError('ABORTED', 'Aborted');
    this.ctl?.abort(this.reason);
    const l = this.listener;
    this.listener = undefined;
    l?.(this.reason);
  }

  /** The typed error the caller gets for a given-up call. */
  error(): Error {
    const r = this.reason;
    if (r instanceof MaculaError && r.code === 'NOT_RUNNING') return r;
    return toAbortError(r);
  }

  /** Releases the deadline and the caller's signal listener (always, when the call ends). */
  dispose(): void {
    this.deadline.cancel();
    this.user?.removeEventListener('abort', this.onUserAbort);
  }
}

/**
 * A call or channel request waiting for its answer. It settles once: by `resolve`, by
 * `reject`, or by `giveUp` (the listener its scope calls); `settle` unregisters it and says
 * whether it was still waiting.
 */
export abstract class PendingAnswer {
  constructor(
    readonly peer: string,
    readonly id: number,
    private readonly res: (v: unknown) => void,
    private readonly rej: (e: unknown) => void,
  ) {}

  readonly giveUp = (reason: unknown): void => this.reject(toAbortError(reason));

  resolve(v: unknown): void {
    if (this.settle()) this.res(v);
  }

  reject(e: unknown): void {
    if (this.settle()) this.rej(e);
  }

  /** Unregisters this answer; false when it had settled already. */
  protected abstract settle(): boolean;
}
