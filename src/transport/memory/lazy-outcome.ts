/**
 * A promise made only when someone asks for it: most of a simulation's thousands of
 * connections never have their `closed` read. Settles once; never rejects.
 */
export class LazyOutcome<T> {
  private value: { v: T } | undefined;
  private made: Promise<T> | undefined;
  private resolve: ((v: T) => void) | undefined;

  get promise(): Promise<T> {
    if (!this.made) {
      const settled = this.value;
      this.made = settled
        ? Promise.resolve(settled.v)
        : new Promise<T>((r) => {
            this.resolve = r;
          });
    }
    return this.made;
  }

  settle(v: T): void {
    if (this.value) return;
    this.value = { v };
    this.resolve?.(v);
  }
}
