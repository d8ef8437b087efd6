import type { Clock, TimerHandle } from './clock.js';
import { MinHeap } from './min-heap.js';

interface VTimer {
  fn: () => void;
  cancelled: boolean;
}

/**
 * A deterministic clock for simulations: time only moves when {@link advance} or
 * {@link runUntilIdle} is called, and timers due at the same instant fire in the
 * order they were set. Timers live in a binary heap, so millions are cheap.
 */
export class VirtualClock implements Clock {
  private t = 0;
  /** By due time; timers due at the same instant in the order they were set. */
  private readonly heap = new MinHeap<VTimer>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: VTimer = { fn, cancelled: false };
    this.heap.push(this.t + Math.max(0, ms), timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as VTimer).cancelled = true;
  }

  /** Number of timers still scheduled (cancelled ones may be counted until they surface). */
  get pending(): number {
    return this.heap.size;
  }

  /** Advances time in `stepMs` steps until `p` settles, then settles with it. */
  async settle<T>(p: Promise<T>, stepMs = 10): Promise<T> {
    let settled = false;
    const watch = p.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    while (!settled) await this.advance(stepMs);
    await watch;
    return p;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way, in order.
   * Microtasks queued by a timer run before the next timer fires, so promise
   * chains behave as they would on a real clock.
   */
  async advance(ms: number): Promise<void> {
    await this.runTo(this.t + ms);
  }

  /** Fires timers until none remain or `limitMs` of virtual time has passed. */
  async runUntilIdle(limitMs = Number.POSITIVE_INFINITY): Promise<void> {
    await this.runTo(this.t + limitMs, true);
  }

  private async runTo(target: number, stopWhenIdle = false): Promise<void> {
    for (;;) {
      await flushMicrotasks();
      const next = this.heap.peek();
      if (!next || next.at > target) break;
      this.heap.pop();
      if (next.item.cancelled) continue;
      this.t = next.at;
      next.item.fn();
    }
    if (!stopWhenIdle || this.heap.size > 0)
      this.t = Math.max(this.t, target === Number.POSITIVE_INFINITY ? this.t : target);
    await flushMicrotasks();
  }
}

/** Lets every queued microtask (and the microtasks they queue) run. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 8; i++) await Promise.resolve();
}
