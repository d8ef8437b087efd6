/** XOR of two 64-hex ids as 64 hex: lexicographic order of these strings is distance order. */
export function xorHex(a: string, b: string): string {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  for (let i = 0; i < x.length; i++) x[i] = x[i]! ^ y[i]!;
  return x.toString('hex');
}

/**
 * Items sorted by XOR distance of their key to a fixed id (self): what the store evicts
 * from (the farthest end) and hands off from (the nearest end). Insert and remove are a
 * binary search plus an array splice (a memmove, cheap at the store's tens of thousands of keys).
 */
export class KeyOrder<T extends { readonly dist: string }> {
  readonly items: T[] = [];

  private indexOf(dist: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid]!.dist < dist) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(item: T): void {
    this.items.splice(this.indexOf(item.dist), 0, item);
  }

  remove(item: T): void {
    const i = this.indexOf(item.dist);
    if (this.items[i] === item) this.items.splice(i, 1);
  }
}
