import type { Clock, TimerHandle } from '../runtime/index.js';

/** One-shot timers keyed by peer id, at most one per key, on an injected clock. */
export class KeyedTimers {
  private readonly timers = new Map<string, { at: number; handle: TimerHandle }>();

  constructor(private readonly clock: Clock) {}

  /** Starts a timer for `key` unless one is running; the key is free again when `fn` runs. */
  start(key: string, ms: number, fn: () => void): void {
    if (this.timers.has(key)) return;
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(key);
      fn();
    }, ms);
    this.timers.set(key, { at: this.clock.now() + ms, handle });
  }

  /** Cancels `key`'s timer, if any. */
  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) this.clock.clearTimeout(t.handle);
    this.timers.delete(key);
  }

  /** Whether `key` has a running timer. */
  has(key: string): boolean {
    return this.timers.has(key);
  }

  /** Keys with a running timer (a copy: cancelling while iterating is safe). */
  keys(): string[] {
    return [...this.timers.keys()];
  }

  /** Milliseconds until `key`'s timer fires (0 when due or absent). */
  remainingMs(key: string): number {
    const t = this.timers.get(key);
    return t ? Math.max(0, t.at - this.clock.now()) : 0;
  }

  /** Cancels every timer. */
  clear(): void {
    for (const t of this.timers.values()) this.clock.clearTimeout(t.handle);
    this.timers.clear();
  }
}

/** Runs `op` and routes its outcome (a synchronous throw included) to `ok` / `fail`; nothing floats. */
export function settle(op: () => Promise<void>, ok: () => void, fail: (err: unknown) => void): void {
  let p: Promise<void>;
  try {
    p = op();
  } catch (err) {
    p = Promise.reject(err);
  }
  p.then(ok, (err: unknown) => fail(err ?? new Error('rejected without a reason')));
}

/**
 * Runs a task without reentrancy: a call made while it runs (from a synchronous callback)
 * makes it run once more afterwards instead of nesting inside the running pass.
 */
export class Rerunner {
  private running = false;
  private again = false;

  constructor(private readonly task: () => void) {}

  /** Runs the task now, or once more after the current pass when called from inside it. */
  run(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        this.task();
      } while (this.again);
    } finally {
      this.running = false;
    }
  }
}
