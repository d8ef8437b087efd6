/** Calls this node is serving, so a caller's deadline and cancellation reach the handler. */
import { AbortError, MaculaError, TimeoutError } from '../core/index.js';
import type { Clock, TimerHandle } from '../runtime/index.js';

/** Longest deadline a caller can give a handler (ms): a day. */
const MAX_DEADLINE_MS = 86_400_000;

interface Served {
  ctl: AbortController;
  timer?: TimerHandle;
}

/**
 * Per served call, an AbortController that fires when the caller's deadline passes (sent
 * with the call, measured on this node's clock from arrival), when the caller cancels
 * (an `rpc-cancel` message), or when the node stops.
 */
export class ServedCalls {
  private readonly calls = new Map<string, Served>();

  constructor(
    private readonly clock: Clock,
    private readonly stopping: AbortSignal,
  ) {}

  get size(): number {
    return this.calls.size;
  }

  /** Starts serving call `id` of `caller`; returns its signal and the function that ends it. */
  begin(caller: string, id: unknown, deadlineMs: unknown): { signal: AbortSignal; end: () => void } {
    const ctl = new AbortController();
    const onStop = () => ctl.abort(new MaculaError('NOT_RUNNING', 'Node stopped'));
    if (this.stopping.aborted) onStop();
    else this.stopping.addEventListener('abort', onStop, { once: true });
    const served: Served = { ctl };
    if (typeof deadlineMs === 'number' && deadlineMs > 0 && deadlineMs <= MAX_DEADLINE_MS) {
      served.timer = this.clock.setTimeout(
        () => ctl.abort(new TimeoutError(`The caller's deadline (${Math.round(deadlineMs)} ms) passed`)),
        deadlineMs,
      );
    }
    const key = typeof id === 'number' && Number.isSafeInteger(id) ? `${caller}/${id}` : undefined;
    if (key) this.calls.set(key, served);
    return {
      signal: ctl.signal,
      end: () => {
        if (served.timer) this.clock.clearTimeout(served.timer);
        this.stopping.removeEventListener('abort', onStop);
        if (key && this.calls.get(key) === served) this.calls.delete(key);
      },
    };
  }

  /** The caller gave up on call `id` (its deadline passed when `timedOut`): abort its handler's signal. */
  cancel(caller: string, id: unknown, timedOut = false): void {
    if (typeof id !== 'number') return;
    const reason = timedOut
      ? new TimeoutError("The caller's deadline passed")
      : new AbortError('The caller cancelled the call');
    this.calls.get(`${caller}/${id}`)?.ctl.abort(reason);
  }
}
