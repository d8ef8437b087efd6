/**
 * The peers bench's shared vocabulary: the systems, the workload parameters, the figures
 * each system gets, and the IPC messages between run.ts and the worker processes.
 *
 * The phase replies are the subset of bench/messaging/protocol.ts's replies that run.ts
 * reads, so the macula worker (bench/messaging/worker.ts) and ours (worker.ts) answer the
 * same commands with messages run.ts treats alike.
 */
import type { Message } from '../lib/child.js';
import type { FloodDone, PacedDone, RpcParDone, RpcSeqDone, SubReport } from '../messaging/protocol.js';

export const SYSTEMS = ['macula', 'nats', 'libp2p', 'libp2p_quic'] as const;
export type SystemName = (typeof SYSTEMS)[number];
/** The systems our worker.ts runs (macula runs in bench/messaging/worker.ts). */
export type PeerSystem = Exclude<SystemName, 'macula'>;

export const TOPIC = 'bench.one';
export const RPC_NAME = 'bench.echo';

/** Workload parameters; `--quick` shortens the measured phases. */
export function workload(quick: boolean, seconds?: number) {
  return {
    payload_bytes: 100,
    warmup_ms: 1000,
    /** Measured window of the pub/sub flood and of the 64-in-flight request phase. */
    seconds: seconds ?? (quick ? 2 : 3),
    latency: { rate_per_s: 1000, ms: quick ? 2000 : 5000 },
    reqrep_sequential: { warmup: 200, count: quick ? 1000 : 3000 },
    reqrep_inflight: 64,
    /** Publishes a worker.ts publisher keeps outstanding at once (libp2p's publish() is async). */
    publish_window: 64,
  };
}
export type Workload = ReturnType<typeof workload>;

/** What bench/results/peers.json holds per system; null = not measured (the reason is in the meta file). */
export interface Figures {
  pubsub_msgs_per_s: number | null;
  latency_us_p50: number | null;
  latency_us_p99: number | null;
  reqrep_us_p50: number | null;
  reqrep_per_s_64: number | null;
  rss_mb: number | null;
}
export const FIGURE_KEYS = [
  'pubsub_msgs_per_s',
  'latency_us_p50',
  'latency_us_p99',
  'reqrep_us_p50',
  'reqrep_per_s_64',
  'rss_mb',
] as const satisfies readonly (keyof Figures)[];

export function emptyFigures(): Figures {
  return {
    pubsub_msgs_per_s: null,
    latency_us_p50: null,
    latency_us_p99: null,
    reqrep_us_p50: null,
    reqrep_per_s_64: null,
    rss_mb: null,
  };
}

/* ------------------------------------------------------------------ IPC */

/** run.ts → worker.ts: become `role` of `system`; `target` is where to connect. */
export interface StartPeer extends Message {
  type: 'start';
  system: PeerSystem;
  role: 'sub' | 'pub';
  /** nats: the server URL (both roles); libp2p: the subscriber's multiaddr (pub role). */
  target?: string;
}

export interface PeerStarted extends Message {
  type: 'started';
  /** What the other process connects to (libp2p subscriber: its multiaddr). */
  address: string;
  /** One line on how the system is configured, for the meta file. */
  description: string;
}

/** `shortReceipts` comes from macula only: measured publishes whose receipt did not list the subscriber. */
export type FloodReply = Pick<FloodDone, 'type' | 'sent' | 'elapsedMs' | 'sendFailures'> &
  Partial<Pick<FloodDone, 'shortReceipts'>>;
export type PacedReply = Pick<PacedDone, 'type' | 'sent' | 'lateUsP50' | 'lateUsP99' | 'lateUsMax'>;
export type ReportReply = Pick<
  SubReport,
  'type' | 'measured' | 'total' | 'firstNs' | 'lastNs' | 'latenciesUs'
>;
export type RpcSeqReply = Pick<RpcSeqDone, 'type' | 'samplesUs'>;
export type RpcParReply = Pick<RpcParDone, 'type' | 'calls' | 'errors' | 'elapsedMs' | 'firstError'>;
