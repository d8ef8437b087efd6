interface HeapEntry<T> {
  at: number;
  /** Push order: entries of equal `at` pop first in, first out. */
  seq: number;
  item: T;
}

function before<T>(a: HeapEntry<T>, b: HeapEntry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * A binary min-heap by `at`, entries of equal `at` in push order, with lazy deletion:
 * entries are not removed when their item goes, the owner skips stale ones as they
 * surface and calls {@link compact} so the heap never grows past a small multiple of what
 * it tracks.
 */
export class MinHeap<T> {
  private h: HeapEntry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.h.length;
  }

  push(at: number, item: T): void {
    this.siftUp({ at, seq: this.seq++, item });
  }

  private siftUp(e: HeapEntry<T>): void {
    const h = this.h;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** The earliest entry without removing it. */
  peek(): { at: number; item: T } | undefined {
    return this.h[0];
  }

  pop(): { at: number; item: T } | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return top;
  }

  /** Keeps only the entries `live` accepts (rebuilds the heap: O(n log n)). */
  compact(live: (item: T, at: number) => boolean): void {
    const keep = this.h.filter((e) => live(e.item, e.at));
    this.h = [];
    for (const e of keep) this.siftUp(e);
  }
}
