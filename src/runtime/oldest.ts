/** A Map or Set: both keep insertion order, and `keys()` of a Set walks its members. */
interface Ordered<K> {
  readonly size: number;
  keys(): IterableIterator<K>;
  delete(key: K): boolean;
}

/**
 * Bounds an insertion-ordered cache: deletes its oldest entry (the first inserted) when it
 * holds more than `max`. Call it after each insertion.
 */
export function dropOldest<K>(m: Ordered<K>, max: number): void {
  if (m.size > max) m.delete(m.keys().next().value as K);
}
