/**
 * Map and Set for entries that come and go per operation (calls and requests in flight),
 * on long-lived owners.
 *
 * Why not a plain Map: V8 links each hash table a Map or Set replaces to its successor,
 * for iterators still walking the old one. Once a long-lived Map's table has reached the
 * old generation (it sat idle through two minor GCs), that dead table keeps its successor
 * alive through every minor GC, the successor keeps the next, and each table keeps the
 * entries it held: everything the Map holds from then on is copied and promoted. A full
 * GC frees the dead tables, but the live one is old by then, so the chain starts again.
 * A 64-entry Map churning after an idle spell: scavenges of 26 ms instead of 0.2 ms
 * (`npm run bench:gc`; docs/performance.md, "Maps that churn"). Starting a fresh Map once
 * the deletions outnumber 64 + twice the entries ends any such chain, at O(1) amortised
 * cost.
 *
 * Iteration returns a snapshot, so deleting while looping is safe.
 */
export class ChurnMap<K, V> {
  private m = new Map<K, V>();
  private deletes = 0;

  get size(): number {
    return this.m.size;
  }

  get(key: K): V | undefined {
    return this.m.get(key);
  }

  has(key: K): boolean {
    return this.m.has(key);
  }

  set(key: K, value: V): this {
    this.m.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    if (!this.m.delete(key)) return false;
    if (++this.deletes > 64 + 2 * this.m.size) {
      this.m = new Map(this.m);
      this.deletes = 0;
    }
    return true;
  }

  clear(): void {
    this.m = new Map();
    this.deletes = 0;
  }

  /** The values now, in insertion order (a copy). */
  values(): V[] {
    return [...this.m.values()];
  }

  /** The entries now, in insertion order (a copy). */
  entries(): [K, V][] {
    return [...this.m];
  }
}

/** A Set for members that come and go per operation; see {@link ChurnMap} for why. */
export class ChurnSet<T> {
  private readonly m = new ChurnMap<T, T>();

  get size(): number {
    return this.m.size;
  }

  has(value: T): boolean {
    return this.m.has(value);
  }

  add(value: T): this {
    this.m.set(value, value);
    return this;
  }

  delete(value: T): boolean {
    return this.m.delete(value);
  }

  clear(): void {
    this.m.clear();
  }

  /** The members now, in insertion order (a copy). */
  values(): T[] {
    return this.m.values();
  }
}
