import { type AbortOptions, AsyncQueue, type Clock, deadline } from '../runtime/index.js';

/**
 * Incoming items (connections, streams, datagrams) routed either to the subscribed
 * handler or to a bounded queue read with {@link next}. One handler at a time: a new
 * subscription replaces the previous one (an item has one owner). The queue is created
 * on first use, so the thousands of connections of a simulation that never queue
 * anything do not pay for one.
 */
export class Inbox<T> {
  private handler: ((item: T) => unknown) | undefined;
  private queue: AsyncQueue<T> | undefined;
  private error: Error | undefined;

  constructor(
    private readonly capacity: number,
    private readonly clock: Clock,
    private readonly what: string,
  ) {}

  /** Hands `item` over; false when no handler listens and the queue is full (or the inbox closed). */
  push(item: T): boolean {
    if (this.error) return false;
    if (this.handler) {
      callHandler(this.handler, item, this.what);
      return true;
    }
    this.queue ??= new AsyncQueue<T>(this.capacity);
    return this.queue.push(item);
  }

  /** Routes items to `handler` from now on (replacing any previous one), starting with those already queued. */
  subscribe(handler: (item: T) => unknown): () => void {
    this.handler = handler;
    for (let item = this.queue?.tryShift(); item !== undefined; item = this.queue?.tryShift()) {
      callHandler(handler, item, this.what);
    }
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }

  /** The next queued item; rejects with the close error once closed. */
  async next(opts?: AbortOptions): Promise<T> {
    if (this.error) throw this.error;
    this.queue ??= new AsyncQueue<T>(this.capacity);
    const d = deadline(this.clock, opts, this.what);
    try {
      const r = await this.queue.next(d.signal);
      if (r.done) throw this.error ?? new Error(`${this.what}: inbox ended`);
      return r.value;
    } finally {
      d.dispose();
    }
  }

  /** Drops whatever is queued and fails every pending and future {@link next} with `error`. */
  close(error: Error): T[] {
    if (this.error) return [];
    this.error = error;
    this.handler = undefined;
    const dropped: T[] = [];
    for (let item = this.queue?.tryShift(); item !== undefined; item = this.queue?.tryShift())
      dropped.push(item);
    this.queue?.close(error);
    return dropped;
  }
}

/**
 * Runs an application handler. A handler that throws, or an async one that rejects, must
 * neither break delivery for everyone else nor crash the process with an unhandled
 * rejection; the failure is reported as a process warning so it is not silent.
 */
function callHandler<T>(h: (item: T) => unknown, item: T, what: string): void {
  try {
    const r = h(item);
    if (r instanceof Promise) r.catch((e: unknown) => reportHandlerError(e, what));
  } catch (e) {
    reportHandlerError(e, what);
  }
}

function reportHandlerError(e: unknown, what: string): void {
  const detail = e instanceof Error ? e.message : String(e);
  process.emitWarning(`${what} handler failed: ${detail}`, {
    code: 'MACULA_HANDLER_ERROR',
    detail: String(e),
  });
}
