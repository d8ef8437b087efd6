/** Calls this node is serving, so a caller's deadline and cancellation reach the handler. */
import { AbortError, MaculaError, TimeoutError } from '../core/index.js';
import type { CallContext } from '../rpc/index.js';
import { ChurnMap, type Deadline, type DeadlineQueue, toAbortError } from '../runtime/index.js';

/** Longest deadline a caller can give a handler (ms): a day. */
const MAX_DEADLINE_MS = 86_400_000;

/** One call being served. Its AbortSignal is made only if the handler asks for it (hot path). */
export class ServedCall {
  private ctl: AbortController | undefined;
  private reason: unknown;
  private onEnd: ((reason: unknown) => void) | undefined;
  /** @internal */ deadline: Deadline | undefined;

  /** Aborted when the caller's deadline passes, the caller cancels, or the node stops. */
  get signal(): AbortSignal {
    this.ctl ??= new AbortController();
    if (this.reason !== undefined && !this.ctl.signal.aborted) this.ctl.abort(this.reason);
    return this.ctl.signal;
  }

  /**
   * Settles with `run`, or rejects with the abort reason as soon as the call is aborted:
   * a handler that ignores its signal is let go of then (it cannot be killed).
   */
  race<T>(run: Promise<T>): Promise<T> {
    if (this.reason !== undefined) {
      run.catch(() => {});
      return Promise.reject(toAbortError(this.reason));
    }
    return new Promise<T>((resolve, reject) => {
      this.onEnd = (reason) => {
        run.catch(() => {});
        reject(toAbortError(reason));
      };
      run.then(resolve, reject);
    });
  }

  /** @internal */
  abort(reason: unknown): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.ctl?.abort(reason);
    this.onEnd?.(reason);
  }
}

/**
 * What a handler gets besides its arguments. A class, not an object literal with a
 * getter: V8 gives each such literal a hidden class of its own in the old generation,
 * which kept every call's objects alive through minor GCs (`npm run bench:gc`: 113×
 * slower to make, scavenges of 14 ms instead of 0.1 ms).
 */
export class HandlerContext implements CallContext {
  constructor(
    readonly caller: string,
    readonly procedure: string,
    private readonly call: ServedCall,
  ) {}

  /** Made only if the handler reads it (hot path). */
  get signal(): AbortSignal {
    return this.call.signal;
  }
}

/**
 * The calls being served, by caller and call id: deadlines (sent with each call, measured
 * on this node's clock from arrival), cancellations (`rpc-cancel` messages) and node stop
 * reach them.
 */
export class ServedCalls {
  private readonly calls = new ChurnMap<string, ServedCall>();
  private stopped = false;

  constructor(private readonly deadlines: DeadlineQueue) {}

  get size(): number {
    return this.calls.size;
  }

  /** Starts serving call `id` of `caller`; `end` must be called once it is done. */
  begin(caller: string, id: unknown, deadlineMs: unknown): { call: ServedCall; end: () => void } {
    const call = new ServedCall();
    if (this.stopped) call.abort(notRunning());
    if (typeof deadlineMs === 'number' && deadlineMs > 0 && deadlineMs <= MAX_DEADLINE_MS) {
      call.deadline = this.deadlines.add(deadlineMs, () =>
        call.abort(new TimeoutError(`The caller's deadline (${Math.round(deadlineMs)} ms) passed`)),
      );
    }
    const key = typeof id === 'number' && Number.isSafeInteger(id) ? `${caller}/${id}` : undefined;
    if (key) this.calls.set(key, call);
    return {
      call,
      end: () => {
        call.deadline?.cancel();
        if (key && this.calls.get(key) === call) this.calls.delete(key);
      },
    };
  }

  /** The caller gave up on call `id` (its deadline passed when `timedOut`): abort it. */
  cancel(caller: string, id: unknown, timedOut = false): void {
    if (typeof id !== 'number') return;
    const reason = timedOut
      ? new TimeoutError("The caller's deadline passed")
      : new AbortError('The caller cancelled the call');
    this.calls.get(`${caller}/${id}`)?.abort(reason);
  }

  /** Node stop: every call being served is aborted. */
  stop(): void {
    this.stopped = true;
    for (const call of this.calls.values()) call.abort(notRunning());
  }
}

function notRunning(): MaculaError {
  return new MaculaError('NOT_RUNNING', 'Node stopped');
}
