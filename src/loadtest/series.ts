/**
 * Counts per time bucket since a start instant (throughput over time). Fixed length:
 * what falls after the last bucket is counted in `late`, never stored.
 */
export class TimeSeries {
  readonly values: number[];
  late = 0;

  constructor(
    readonly startMs: number,
    readonly bucketMs: number,
    buckets: number,
  ) {
    this.values = new Array<number>(Math.max(1, buckets)).fill(0);
  }

  /** Adds `n` at instant `atMs` (same clock as `startMs`); earlier instants count in bucket 0. */
  add(atMs: number, n = 1): void {
    const i = Math.max(0, Math.floor((atMs - this.startMs) / this.bucketMs));
    if (i < this.values.length) this.values[i]! += n;
    else this.late += n;
  }
}

/** Sums equal-length series (shorter ones are padded with zeros). */
export function sumSeries(all: readonly (readonly number[])[]): number[] {
  const len = Math.max(0, ...all.map((s) => s.length));
  const out = new Array<number>(len).fill(0);
  for (const s of all) for (let i = 0; i < s.length; i++) out[i]! += s[i]!;
  return out;
}

/** Keeps the buckets that ended by `lastMs` (relative to the start): a partial last one would read as a drop. */
export function trimSeries(values: readonly number[], bucketMs: number, lastMs: number): number[] {
  const keep = Math.max(1, Math.min(values.length, Math.floor(lastMs / bucketMs)));
  return values.slice(0, keep);
}

/** A bucket width that gives at most about 240 buckets: 250 ms for runs up to a minute. */
export function bucketFor(durationMs: number): number {
  return Math.max(250, Math.ceil(durationMs / 240 / 250) * 250);
}
