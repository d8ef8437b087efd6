/** The load-test report: what `runLoadtest` returns and `report.json` holds. */
import type { MemberEventKind } from './agent-types.js';
import type { Histogram, HistogramBin } from './histogram.js';
import type { FaultKind, LoadtestOptions } from './options.js';

/** A latency distribution: percentiles in µs and the histogram's bars. */
export interface LatencySummary {
  count: number;
  minUs: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  bins: HistogramBin[];
}

/**
 * Counts per time bucket (`bucketMs` of the scenario): divide by the bucket for a rate.
 * A `cumulative` series holds running totals at each bucket's end instead.
 */
export interface SeriesReport {
  name: string;
  label: string;
  values: number[];
  cumulative?: boolean;
}

/** Something that happened during a scenario, `atMs` after its measurement started. */
export interface TimelineEvent {
  atMs: number;
  kind: MemberEventKind | 'fault' | 'heal';
  /** The node that saw a membership change. */
  observer?: string;
  /** The member it is about, or the fault's target. */
  subject?: string;
  detail?: string;
}

export interface PubSubStats {
  publishers: number;
  subscribers: number;
  targetRate: number;
  /** Publishes the node accepted. */
  published: number;
  /** Publishes refused (see `errors`, e.g. OUTBOX_FULL when at-least-once deliveries pile up). */
  failed: number;
  /** Messages received, summed over subscriber nodes. */
  delivered: number;
  /** published × subscribers. */
  expected: number;
  /** Not received by the end of the drain. */
  lost: number;
  /** Publishes per second achieved. */
  publishRate: number;
  deliveryRate: number;
  /** Payload bytes delivered per second. */
  bytesPerSec: number;
}

export interface RpcStats {
  callers: number;
  providers: number;
  targetRate: number;
  concurrency: number;
  calls: number;
  answered: number;
  failed: number;
  callsPerSec: number;
}

export interface FormationStats {
  nodes: number;
  /** Nodes that saw every member alive. */
  complete: number;
  /** Until the last node saw every member alive (from the first node's start). */
  formedMs: number;
  joinEvents: number;
}

export interface FailureStats extends Omit<PubSubStats, 'subscribers'> {
  fault: FaultKind;
  /** What was hit: the killed node, the two sides of the partition, or the loss rate. */
  target: string;
  /** Subscribers still running at the end (the killed one is not counted). */
  subscribers: number;
  injectedAtMs: number;
  healedAtMs: number | null;
  /** Kill only: from the kill to the first `suspect` / `dead` verdict on the victim, and to the last survivor's `dead`. */
  firstSuspectMs: number | null;
  firstDeadMs: number | null;
  allDeadMs: number | null;
  membershipEvents: number;
}

interface ScenarioBase {
  title: string;
  /** Start of its measurement window, ms after the run started. */
  offsetMs: number;
  /** Length of its measured window (load plus drain; formation: until formed). */
  durationMs: number;
  bucketMs: number;
  /** Throughput over time, one count per bucket. */
  series: SeriesReport[];
  /** What `latency` measures, for labels. */
  latencyLabel: string;
  latency: LatencySummary;
  events: TimelineEvent[];
  eventsDropped: number;
  /** Failed operations by error code. */
  errors: Record<string, number>;
}

export type ScenarioReport = ScenarioBase &
  (
    | { scenario: 'pubsub'; stats: PubSubStats }
    | { scenario: 'rpc'; stats: RpcStats }
    | { scenario: 'formation'; stats: FormationStats }
    | { scenario: 'failure'; stats: FailureStats }
  );

export interface LoadtestReport {
  tool: 'macula loadtest';
  /** Bumped when the report's shape changes incompatibly. */
  schema: 1;
  startedAt: string;
  durationMs: number;
  options: LoadtestOptions;
  environment: { node: string; platform: string; arch: string; cpus: number; cpuModel: string };
  scenarios: ScenarioReport[];
}

/** Percentiles and chart bars of a histogram. */
export function summarize(h: Histogram): LatencySummary {
  return {
    count: h.count,
    minUs: h.count ? h.min : 0,
    meanUs: Math.round(h.mean),
    p50Us: h.quantile(0.5),
    p90Us: h.quantile(0.9),
    p99Us: h.quantile(0.99),
    p999Us: h.quantile(0.999),
    maxUs: h.max,
    bins: h.bins(),
  };
}
