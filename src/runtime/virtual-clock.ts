import type { Clock, TimerHandle } from './clock.js';

interface VTimer {
  at: number;
  seq: number;
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
  private seq = 0;
  private readonly heap: VTimer[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: VTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as VTimer).cancelled = true;
  }

  /** Number of timers still scheduled (cancelled ones may be counted until they surface). */
  get pending(): number {
    return this.heap.length;
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
      const next = this.heap[0];
      if (!next || next.at > target) break;
      this.pop();
      if (next.cancelled) continue;
      this.t = next.at;
      next.fn();
    }
    if (!stopWhenIdle || this.heap.length > 0)
      this.t = Math.max(this.t, target === Number.POSITIVE_INFINITY ? this.t : target);
    await flushMicrotasks();
  }

  private less(a: VTimer, b: VTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(x: VTimer): void {
    const h = this.heap;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/** Lets every queued microtask (and the microtasks they queue) run. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 8; i++) await Promise.resolve();
}
