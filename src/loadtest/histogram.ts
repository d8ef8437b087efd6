/**
 * A log-linear latency histogram (the HDR histogram layout): values in whole microseconds,
 * exact below 32 µs, then 32 sub-buckets per power of two, so any recorded value is known
 * to within 1/32 (≈ 3 %). Fixed memory (1 056 counters up to 2^36 µs ≈ 19 h, larger values
 * land in the last bucket), mergeable across nodes and processes, serialisable as JSON.
 * Node's perf_hooks histogram has the same layout but cannot be merged across processes or
 * read bucket by bucket, which the report's chart needs.
 */

const SUB_BITS = 5;
const SUB = 1 << SUB_BITS;
const MAX_EXP = 36;
const SIZE = SUB + (MAX_EXP - SUB_BITS) * SUB;

/** The serialised form: totals plus the non-empty buckets as `[index, count]` pairs. */
export interface HistogramData {
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: [number, number][];
}

/** One bar of the report's histogram chart: `count` values in `[fromUs, toUs)`. */
export interface HistogramBin {
  fromUs: number;
  toUs: number;
  count: number;
}

export class Histogram {
  private readonly counts = new Float64Array(SIZE);
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;

  /** Records a value in microseconds (rounded; negatives count as 0). */
  record(us: number): void {
    const v = us > 0 ? Math.round(us) : 0;
    this.counts[bucketOf(v)]! += 1;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Adds every value of `other` (a histogram or its serialised form). */
  merge(other: Histogram | HistogramData): void {
    if (other.count === 0) return;
    const pairs = other instanceof Histogram ? other.toJSON().buckets : other.buckets;
    for (const [i, n] of pairs) if (i >= 0 && i < SIZE) this.counts[i]! += n;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** The value at quantile `q` (0..1): the top of its bucket, clamped to the exact min and max. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        // The last bucket is open-ended: its top is the max.
        return i === SIZE - 1 ? this.max : Math.min(this.max, Math.max(this.min, lowerOf(i + 1) - 1));
      }
    }
    return this.max;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /**
   * Chart bars: quarter octaves (1 µs wide below 8 µs), from the lowest non-empty one to
   * the highest, empty ones included so the x axis stays continuous. At most 140 bars.
   */
  bins(): HistogramBin[] {
    const out = new Map<number, number>();
    for (let i = 0; i < SIZE; i++) {
      const n = this.counts[i]!;
      if (n > 0) {
        const d = displayOf(lowerOf(i));
        out.set(d, (out.get(d) ?? 0) + n);
      }
    }
    if (out.size === 0) return [];
    const keys = [...out.keys()];
    const bins: HistogramBin[] = [];
    for (let d = Math.min(...keys); d <= Math.max(...keys); d++) {
      bins.push({ fromUs: displayLower(d), toUs: displayLower(d + 1), count: out.get(d) ?? 0 });
    }
    return bins;
  }

  toJSON(): HistogramData {
    const buckets: [number, number][] = [];
    for (let i = 0; i < SIZE; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return { count: this.count, sum: this.sum, min: this.count ? this.min : 0, max: this.max, buckets };
  }

  static from(data: HistogramData): Histogram {
    const h = new Histogram();
    h.merge(data);
    return h;
  }
}

function bucketOf(v: number): number {
  if (v < SUB) return v;
  const e = log2Floor(v);
  if (e >= MAX_EXP) return SIZE - 1;
  return SUB + (e - SUB_BITS) * SUB + Math.floor(v / 2 ** (e - SUB_BITS)) - SUB;
}

/** floor(log2(v)) for v >= 1, corrected where Math.log2 rounds across a power of two. */
function log2Floor(v: number): number {
  let e = Math.floor(Math.log2(v));
  if (2 ** e > v) e--;
  else if (2 ** (e + 1) <= v) e++;
  return e;
}

/** The smallest value of bucket `i` (`i = SIZE` gives the end of the last bucket). */
function lowerOf(i: number): number {
  if (i < SUB) return i;
  const e = SUB_BITS + Math.floor((i - SUB) / SUB);
  return (SUB + ((i - SUB) % SUB)) * 2 ** (e - SUB_BITS);
}

/** Display bar of a value: one per µs below 8, then four per octave (linear quarters). */
function displayOf(v: number): number {
  if (v < 8) return v;
  const e = log2Floor(v);
  const q = Math.min(3, Math.floor((v - 2 ** e) / 2 ** (e - 2)));
  return 8 + (e - 3) * 4 + q;
}

function displayLower(d: number): number {
  if (d < 8) return d;
  const e = 3 + Math.floor((d - 8) / 4);
  return 2 ** e + ((d - 8) % 4) * 2 ** (e - 2);
}
