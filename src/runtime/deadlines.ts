import type { Clock, TimerHandle } from './clock.js';

/** One scheduled deadline; {@link cancel} it when the operation ends first. */
export interface Deadline {
  /** Absolute time on the queue's clock (ms). */
  readonly at: number;
  cancel(): void;
}

class Entry implements Deadline {
  cancelled = false;
  constructor(
    readonly at: number,
    readonly fire: () => void,
    private readonly owner: DeadlineQueue,
  ) {}

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.owner.onCancel();
  }
}

/**
 * Many deadlines on one timer: a min-heap by time, armed for the earliest. For hot paths
 * (an RPC per call) where a timer and an AbortController per operation cost more than
 * the operation. Cancelled entries are dropped lazily and compacted away when they
 * outnumber the live ones, so memory stays proportional to the deadlines pending.
 */
export class DeadlineQueue {
  private heap: Entry[] = [];
  private cancelled = 0;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  /** Deadlines pending (not yet fired or cancelled). */
  get size(): number {
    return this.heap.length - this.cancelled;
  }

  /** Runs `fire` `ms` from now unless cancelled first. */
  add(ms: number, fire: () => void): Deadline {
    const e = new Entry(this.clock.now() + ms, fire, this);
    this.push(e);
    if (e.at < this.timerAt) this.arm(e.at);
    return e;
  }

  /** Cancels every pending deadline (their `fire` never runs). */
  clear(): void {
    for (const e of this.heap) e.cancelled = true;
    this.heap = [];
    this.cancelled = 0;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  /** @internal */
  onCancel(): void {
    this.cancelled++;
    if (this.cancelled > 64 && this.cancelled * 2 > this.heap.length) this.compact();
  }

  private arm(at: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimeout(this.expire, Math.max(0, at - this.clock.now()));
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    const due: Entry[] = [];
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const e = this.pop();
      if (e.cancelled) this.cancelled--;
      else due.push(e);
    }
    // Popped entries cannot be cancelled any more: mark them so a late cancel() is a no-op.
    for (const e of due) e.cancelled = true;
    this.skipCancelledHead();
    if (this.heap.length > 0) this.arm(this.heap[0]!.at);
    for (const e of due) e.fire();
  };

  private skipCancelledHead(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) {
      this.pop();
      this.cancelled--;
    }
  }

  private compact(): void {
    const live = this.heap.filter((e) => !e.cancelled);
    this.heap = [];
    this.cancelled = 0;
    for (const e of live) this.push(e);
  }

  private push(e: Entry): void {
    const h = this.heap;
    let i = h.push(e) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= e.at) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
        if (h[c]!.at >= last.at) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
