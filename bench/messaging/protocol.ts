/**
 * What the messaging bench's parent (run.ts) and its node processes (worker.ts) say to
 * each other over IPC, and the 100-byte payload layout they share.
 */
import type { Message } from '../lib/child.js';

export const REALM = 'org.example.bench';
export const PAYLOAD_BYTES = 100;

/** Payload byte 0: which phase a message belongs to. */
export const PHASE = { warmup: 0, measured: 1, latency: 2 } as const;

/**
 * One clock for every process on the machine: `process.hrtime` reads CLOCK_MONOTONIC,
 * which all processes share, so a timestamp taken in one process can be compared with
 * one taken in another. Nanoseconds as a double (exact below 2^53 ns, about 104 days of uptime).
 */
export function clockNs(): number {
  return Number(process.hrtime.bigint());
}

/** Payload: byte 0 phase, bytes 8–15 the send time (float64 ns, {@link clockNs}; see measure.ts `pacedPublish`), rest padding. */
export function makePayload(): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(PAYLOAD_BYTES).fill(0x2a);
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

export interface Started extends Message {
  type: 'started';
  port: number;
  nodeId: string;
}

/** What a subscriber counted since its last reset. */
export interface SubReport extends Message {
  type: 'sub-report';
  /** Events of the measured phase. */
  measured: number;
  /** Every event received, all phases. */
  total: number;
  /** Clock ({@link clockNs}) of the first and last measured event. */
  firstNs: number;
  lastNs: number;
  /** One-way latencies (µs) of latency-phase events, send time → handler. */
  latenciesUs: number[];
  /** Subscription queue drops (`sub.stats().dropped`) and node pub/sub counters. */
  dropped: number;
  overflowed: number;
  received: number;
  delivered: number;
}

export interface FloodDone extends Message {
  type: 'flood-done';
  /** Publishes in the measured phase, and its duration on the publisher. */
  sent: number;
  elapsedMs: number;
  sendFailures: number;
  /** Receipts of the measured phase that did not list every expected subscriber. */
  shortReceipts: number;
}

export interface PacedDone extends Message {
  type: 'paced-done';
  sent: number;
  /** How late publish() calls started versus their schedule (µs): p50, p99, max. */
  lateUsP50: number;
  lateUsP99: number;
  lateUsMax: number;
  /** Durations (µs) of the publish() calls that re-read the subscriber list from the DHT (it expired). */
  refreshPublishesUs: number[];
  /** Slowest of the other publish() calls (µs), and how many calls in all took over 1 ms. */
  slowestOtherPublishUs: number;
  publishesOver1ms: number;
  /** DHT gets this node made during the run (subscriber-list refreshes). */
  dhtGets: number;
}

export interface RpcSeqDone extends Message {
  type: 'rpc-seq-done';
  samplesUs: number[];
  dhtGets: number;
}

export interface RpcParDone extends Message {
  type: 'rpc-par-done';
  calls: number;
  errors: number;
  elapsedMs: number;
  dhtGets: number;
  firstError?: string;
}
