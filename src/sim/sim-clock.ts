import type { Clock, TimerHandle } from '../runtime/index.js';

/** A scheduled call: `fn(a, b, c)` at `at`; `seq` orders calls due at the same instant. */
interface Ev {
  at: number;
  seq: number;
  fn: ((a: unknown, b: unknown, c: unknown) => void) | undefined;
  a: unknown;
  b: unknown;
  c: unknown;
  /** The call may settle promises: let their microtasks run before the next call. */
  async: boolean;
}

/** Microtask hops let run after a call that settled a promise (a push-pull reply chain is ~10). */
const ASYNC_HOPS = 32;

/**
 * The simulation clock: a {@link Clock} whose time moves only in {@link advance}, with
 * calls due at the same instant run in the order they were scheduled. Unlike the
 * runtime's VirtualClock it does not drain the microtask queue after every timer (that
 * dominated large runs): plain timers are assumed synchronous, and only those scheduled
 * with {@link callAsync} or {@link sleep} (promise-settling ones) are followed by a drain.
 * Argument slots spare a closure per datagram.
 */
export class SimClock implements Clock {
  private t = 0;
  private seq = 0;
  private heap: Ev[] = [];
  /** Cancelled calls still in the heap. */
  private cancelled = 0;

  now(): number {
    return this.t;
  }

  /** Clock interface: `fn` must not settle promises (use {@link callAsync} or {@link sleep} for that). */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule(ms, fn as Ev['fn'], undefined, undefined, undefined, false);
  }

  clearTimeout(handle: TimerHandle): void {
    const ev = handle as Ev;
    if (ev.fn === undefined) return;
    ev.fn = undefined;
    // Cancelled calls stay in the heap until due: drop them once they are most of it.
    if (++this.cancelled > 4096 && this.cancelled * 2 > this.heap.length) this.compact();
  }

  /** Schedules `fn(a, b, c)` in `ms` (no closure needed); `fn` must not settle promises. */
  call<A, B, C>(ms: number, fn: (a: A, b: B, c: C) => void, a: A, b?: B, c?: C): TimerHandle {
    return this.schedule(ms, fn as Ev['fn'], a, b, c, false);
  }

  /** Runs `fn` in `ms`, then lets the microtasks it queued run before the next timer. */
  callAsync(ms: number, fn: () => void): TimerHandle {
    return this.schedule(ms, fn as Ev['fn'], undefined, undefined, undefined, true);
  }

  /** Resolves after `ms` of virtual time (its continuation runs before the next timer). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.callAsync(ms, resolve));
  }

  /** Timers scheduled and not yet fired (cancelled ones count until they surface). */
  get pending(): number {
    return this.heap.length;
  }

  /** Moves time forward by `ms`, running every call due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await drain(ASYNC_HOPS);
    // (this.heap, not a local: compact() replaces it)
    while (this.heap.length > 0 && this.heap[0]!.at <= target) {
      const ev = this.pop();
      const fn = ev.fn;
      if (fn === undefined) {
        this.cancelled--;
        continue;
      }
      ev.fn = undefined;
      this.t = ev.at;
      fn(ev.a, ev.b, ev.c);
      if (ev.async) await drain(ASYNC_HOPS);
    }
    if (target > this.t) this.t = target;
    await drain(ASYNC_HOPS);
  }

  /** Rebuilds the heap without cancelled calls (a sorted array is a valid heap). */
  private compact(): void {
    this.heap = this.heap.filter((ev) => ev.fn !== undefined).sort((x, y) => x.at - y.at || x.seq - y.seq);
    this.cancelled = 0;
  }

  private schedule(ms: number, fn: Ev['fn'], a: unknown, b: unknown, c: unknown, async: boolean): Ev {
    const ev: Ev = { at: this.t + Math.max(ms, 0), seq: this.seq++, fn, a, b, c, async };
    this.push(ev);
    return ev;
  }

  private push(x: Ev): void {
    const h = this.heap;
    let i = h.length;
    h.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const y = h[p]!;
      if (y.at < x.at || (y.at === x.at && y.seq < x.seq)) break;
      h[i] = y;
      i = p;
    }
    h[i] = x;
  }

  private pop(): Ev {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let m = l;
      let c = h[l]!;
      if (r < n) {
        const rc = h[r]!;
        if (rc.at < c.at || (rc.at === c.at && rc.seq < c.seq)) {
          m = r;
          c = rc;
        }
      }
      if (last.at < c.at || (last.at === c.at && last.seq < c.seq)) break;
      h[i] = c;
      i = m;
    }
    h[i] = last;
    return top;
  }
}

async function drain(hops: number): Promise<void> {
  for (let i = 0; i < hops; i++) await undefined;
}
