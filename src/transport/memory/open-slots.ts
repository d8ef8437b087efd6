import { type AbortOptions, type Clock, deadline, raceAbort } from '../../runtime/index.js';

/** 0: bidirectional, 1: unidirectional. */
export type StreamKind = 0 | 1;

/** Makes the streams {@link OpenSlots} hands out. */
export interface SlotOwner<S> {
  /** Creates our stream number `index` of `kind`; called once the slot is ours. */
  createLocal(kind: StreamKind, index: number): S;
  /** Takes back a stream granted to an opener that gave up in the meantime. */
  discard(s: S): void;
}

interface Waiter<S> {
  kind: StreamKind;
  resolve: (s: S) => void;
  reject: (e: unknown) => void;
  granted?: S;
}

/**
 * The peer's limit on the streams we open (QUIC MAX_STREAMS), per kind. Openers beyond
 * the limit wait in FIFO order; a slot is handed over synchronously when the limit
 * grows, so nobody can jump the queue in between.
 */
export class OpenSlots<S> {
  private nextBidi = 0;
  private nextUni = 0;
  private maxBidi = 0;
  private maxUni = 0;
  private waiters: Waiter<S>[] | undefined;
  private error: Error | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly owner: SlotOwner<S>,
  ) {}

  /** Opens a stream of `kind`, waiting while the peer's limit is used up. */
  async open(kind: StreamKind, opts?: AbortOptions): Promise<S> {
    if (this.error) throw this.error;
    if (!this.waiters?.some((w) => w.kind === kind) && this.hasRoom(kind)) return this.take(kind);
    const d = deadline(this.clock, opts, 'openStream');
    let w!: Waiter<S>;
    const p = new Promise<S>((resolve, reject) => {
      w = { kind, resolve, reject };
      this.waiters ??= [];
      this.waiters.push(w);
    });
    try {
      return await raceAbort(p, d.signal, () => {
        if (w.granted !== undefined) this.owner.discard(w.granted);
        const i = this.waiters?.indexOf(w) ?? -1;
        if (i >= 0) this.waiters?.splice(i, 1);
      });
    } finally {
      d.dispose();
    }
  }

  /** The peer raised its limits (cumulative counts, as in MAX_STREAMS). */
  raise(bidi: number, uni: number): void {
    this.maxBidi = Math.max(this.maxBidi, bidi);
    this.maxUni = Math.max(this.maxUni, uni);
    const q = this.waiters;
    if (!q) return;
    for (let i = 0; i < q.length; ) {
      const w = q[i]!;
      if (!this.hasRoom(w.kind)) {
        i++;
        continue;
      }
      q.splice(i, 1);
      w.granted = this.take(w.kind);
      w.resolve(w.granted);
    }
  }

  /** Fails every waiting and future opener. */
  fail(err: Error): void {
    this.error ??= err;
    for (const w of this.waiters?.splice(0) ?? []) w.reject(err);
  }

  private hasRoom(kind: StreamKind): boolean {
    return kind === 0 ? this.nextBidi < this.maxBidi : this.nextUni < this.maxUni;
  }

  private take(kind: StreamKind): S {
    const index = kind === 0 ? this.nextBidi++ : this.nextUni++;
    return this.owner.createLocal(kind, index);
  }
}
