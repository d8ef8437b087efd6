import { Histogram, type HistogramData } from './histogram.js';
import { TimeSeries } from './series.js';

/** Where a measurement window starts and how it is bucketed (the same for every node of a scenario). */
export interface MeasureSpec {
  /** Start instant on the load clock (ms). */
  startMs: number;
  bucketMs: number;
  buckets: number;
}

/** One node's numbers for one measurement window. */
export interface MeasureData {
  /** Publishes accepted, or calls started. */
  sent: number;
  /** Messages received (pub/sub) or calls answered (RPC). */
  delivered: number;
  /** Failed operations by error code. */
  errors: Record<string, number>;
  /** One-way message latency (subscriber) or call latency (caller), µs. */
  latency: HistogramData;
  sentSeries: number[];
  deliveredSeries: number[];
}

/** Counters, a latency histogram and two throughput series for one node. */
export class Measure {
  sent = 0;
  delivered = 0;
  errorCount = 0;
  readonly errors: Record<string, number> = {};
  readonly latency = new Histogram();
  private readonly sentSeries: TimeSeries;
  private readonly deliveredSeries: TimeSeries;

  constructor(readonly spec: MeasureSpec) {
    this.sentSeries = new TimeSeries(spec.startMs, spec.bucketMs, spec.buckets);
    this.deliveredSeries = new TimeSeries(spec.startMs, spec.bucketMs, spec.buckets);
  }

  onSent(atMs: number): void {
    this.sent++;
    this.sentSeries.add(atMs);
  }

  /** A delivery at `atMs`, `latencyMs` after it was sent. */
  onDelivered(atMs: number, latencyMs: number): void {
    this.delivered++;
    this.deliveredSeries.add(atMs);
    this.latency.record(latencyMs * 1000);
  }

  onError(err: unknown): void {
    const code = (err as { code?: unknown })?.code;
    const key = typeof code === 'string' ? code : err instanceof Error ? err.name : 'ERROR';
    this.errors[key] = (this.errors[key] ?? 0) + 1;
    this.errorCount++;
  }

  toJSON(): MeasureData {
    return {
      sent: this.sent,
      delivered: this.delivered,
      errors: { ...this.errors },
      latency: this.latency.toJSON(),
      sentSeries: [...this.sentSeries.values],
      deliveredSeries: [...this.deliveredSeries.values],
    };
  }
}
