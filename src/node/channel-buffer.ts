const EMPTY = new Uint8Array(0);

/**
 * The bytes a channel has queued but not yet written: frames are copied back to back into
 * a slab, so a tick's worth of small frames becomes one write. A region handed out is
 * never written again (the stream may still hold it), so slabs are only appended to and
 * replaced when full, never reused: one allocation per slab, not per frame.
 */
export class BatchBuffer {
  private slab: Uint8Array = EMPTY;
  /** Start of the region not yet handed out, and the end of what was written into the slab. */
  private start = 0;
  private end = 0;
  /** Regions (or whole large frames) complete before the current slab region, in order. */
  private sealed: Uint8Array[] = [];
  private sealedBytes = 0;

  constructor(private readonly slabSize = 64 * 1024) {}

  /** Bytes queued and not yet taken. */
  get pending(): number {
    return this.sealedBytes + this.end - this.start;
  }

  /** Queues `bytes`: copied, except a large frame which is kept as it is (its owner never rewrites it). */
  append(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    if (n > this.slabSize >>> 2) {
      this.seal();
      this.sealed.push(bytes);
      this.sealedBytes += n;
      return;
    }
    if (this.end + n > this.slab.byteLength) {
      this.seal();
      this.slab = Buffer.allocUnsafe(this.slabSize);
      this.start = 0;
      this.end = 0;
    }
    this.slab.set(bytes, this.end);
    this.end += n;
  }

  /** The next queued region, in order, or undefined when nothing is queued. */
  take(): Uint8Array | undefined {
    if (this.sealed.length > 0) {
      const out = this.sealed.shift()!;
      this.sealedBytes -= out.byteLength;
      return out;
    }
    if (this.end === this.start) return undefined;
    const out = this.slab.subarray(this.start, this.end);
    this.start = this.end;
    return out;
  }

  /** Forgets everything queued. */
  clear(): void {
    this.sealed = [];
    this.sealedBytes = 0;
    this.start = this.end;
  }

  /** Moves the current slab region to the sealed list, so later bytes queue after it. */
  private seal(): void {
    if (this.end === this.start) return;
    this.sealed.push(this.slab.subarray(this.start, this.end));
    this.sealedBytes += this.end - this.start;
    this.start = this.end;
  }
}
