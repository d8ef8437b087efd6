import type { Clock, TimerHandle } from './clock.js';
import { MinHeap } from './min-heap.js';

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
  private readonly heap = new MinHeap<Entry>();
  private cancelled = 0;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  /** Deadlines pending (not yet fired or cancelled). */
  get size(): number {
    return this.heap.size - this.cancelled;
  }

  /** Runs `fire` `ms` from now unless cancelled first. */
  add(ms: number, fire: () => void): Deadline {
    const e = new Entry(this.clock.now() + ms, fire, this);
    this.heap.push(e.at, e);
    if (e.at < this.timerAt) this.arm(e.at);
    return e;
  }

  /** Cancels every pending deadline (their `fire` never runs). */
  clear(): void {
    this.heap.compact((e) => {
      e.cancelled = true;
      return false;
    });
    this.cancelled = 0;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  /** @internal */
  onCancel(): void {
    this.cancelled++;
    if (this.cancelled > 64 && this.cancelled * 2 > this.heap.size) {
      this.heap.compact((e) => !e.cancelled);
      this.cancelled = 0;
    }
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
    for (let top = this.heap.peek(); top !== undefined && top.at <= now; top = this.heap.peek()) {
      this.heap.pop();
      if (top.item.cancelled) this.cancelled--;
      else due.push(top.item);
    }
    // Popped entries cannot be cancelled any more: mark them so a late cancel() is a no-op.
    for (const e of due) e.cancelled = true;
    for (let top = this.heap.peek(); top?.item.cancelled; top = this.heap.peek()) {
      this.heap.pop();
      this.cancelled--;
    }
    const next = this.heap.peek();
    if (next !== undefined) this.arm(next.at);
    for (const e of due) e.fire();
  };
}
