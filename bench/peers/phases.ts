/**
 * The four measured phases, driven from run.ts over IPC. Every system answers the same
 * commands (bench/messaging/worker.ts for macula, worker.ts for the others), so each phase
 * is computed here the same way for all of them.
 */
import type { Child } from '../lib/child.js';
import { percentile, round } from '../lib/stats.js';
import { sleep } from '../lib/time.js';
import type { FloodReply, PacedReply, ReportReply, RpcParReply, RpcSeqReply, Workload } from './protocol.js';
import { RPC_NAME, TOPIC } from './protocol.js';
import { ask } from './setup.js';

/** Margin on top of a phase's own length before a reply counts as lost. */
const SLACK_MS = 60_000;

const report = (sub: Child) => ask<ReportReply>(sub, { type: 'sub-report' }, 'sub-report');

/** How long nothing may arrive before the missing messages count as lost (libp2p over QUIC stalls for seconds). */
const QUIET_MS = 5_000;
const POLL_MS = 250;

/**
 * The subscriber's report once `count` reaches `expected`, or once nothing at all (of any
 * phase) arrived for QUIET_MS: a subscriber still working through a backlog of warm-up
 * messages is not done yet, and the next phase must not start while it is.
 */
async function drained(
  sub: Child,
  count: (r: ReportReply) => number,
  expected: number,
): Promise<ReportReply> {
  let r = await report(sub);
  let still = 0;
  while (count(r) < expected && still < QUIET_MS / POLL_MS) {
    await sleep(POLL_MS);
    const next = await report(sub);
    still = next.total === r.total ? still + 1 : 0;
    r = next;
  }
  return r;
}

/** Messages per second received by the subscriber in the measured window (its first to last arrival). */
export async function throughput(pub: Child, sub: Child, w: Workload) {
  await ask(sub, { type: 'sub-reset' }, 'sub-reset-ok');
  const ms = w.seconds * 1000;
  const done = await ask<FloodReply>(
    pub,
    { type: 'flood', topic: TOPIC, expect: 1, warmupMs: w.warmup_ms, ms, window: w.publish_window },
    'flood-done',
    ms + w.warmup_ms + SLACK_MS,
  );
  const r = await drained(sub, (x) => x.measured, done.sent);
  const span = (r.lastNs - r.firstNs) / 1e9;
  const rate = r.measured > 1 && span > 0 ? r.measured / span : null;
  return {
    rate,
    details: {
      published: done.sent,
      publisher_rate_per_s: round(done.sent / (done.elapsedMs / 1000), 0),
      received: r.measured,
      lost: done.sent - r.measured,
      send_failures: done.sendFailures,
      ...(done.shortReceipts === undefined ? {} : { receipts_without_the_subscriber: done.shortReceipts }),
      receive_span_s: round(span, 3),
    },
  };
}

/** One-way latency at `rate` msg/s (send time stamped in the payload, CLOCK_MONOTONIC). */
export async function latency(pub: Child, sub: Child, w: Workload) {
  await ask(sub, { type: 'sub-reset' }, 'sub-reset-ok');
  const { rate_per_s: rate, ms } = w.latency;
  const done = await ask<PacedReply>(
    pub,
    { type: 'paced', topic: TOPIC, rate, warmupMs: w.warmup_ms, ms },
    'paced-done',
    ms + w.warmup_ms + SLACK_MS,
  );
  const r = await drained(sub, (x) => x.latenciesUs.length, done.sent);
  const lat = r.latenciesUs;
  if (lat.length === 0) throw new Error(`none of ${done.sent} latency messages arrived`);
  return {
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    details: {
      sent: done.sent,
      received: lat.length,
      p90_us: round(percentile(lat, 90), 1),
      p999_us: round(percentile(lat, 99.9), 1),
      max_us: round(Math.max(...lat), 1),
      timer_late_us_p50: round(done.lateUsP50, 1),
      timer_late_us_p99: round(done.lateUsP99, 1),
    },
  };
}

/** Sequential request/reply round trips, each timed. */
export async function requestSequential(pub: Child, w: Workload) {
  const { warmup, count } = w.reqrep_sequential;
  const r = await ask<RpcSeqReply>(
    pub,
    { type: 'rpc-seq', name: RPC_NAME, warmup, n: count },
    'rpc-seq-done',
    SLACK_MS * 3,
  );
  const s = r.samplesUs;
  return {
    p50: percentile(s, 50),
    details: {
      requests: s.length,
      p90_us: round(percentile(s, 90), 1),
      p99_us: round(percentile(s, 99), 1),
      max_us: round(Math.max(...s), 1),
    },
  };
}

/** Completed requests per second with `reqrep_inflight` loops requesting back to back. */
export async function requestParallel(pub: Child, w: Workload) {
  const ms = w.seconds * 1000;
  const r = await ask<RpcParReply>(
    pub,
    { type: 'rpc-par', name: RPC_NAME, inflight: w.reqrep_inflight, warmupMs: w.warmup_ms, ms },
    'rpc-par-done',
    ms + w.warmup_ms + SLACK_MS,
  );
  if (r.calls === 0) throw new Error(`no request completed (${r.errors} errors: ${r.firstError ?? '?'})`);
  return {
    rate: r.calls / (r.elapsedMs / 1000),
    details: {
      inflight: w.reqrep_inflight,
      completed: r.calls,
      errors: r.errors,
      elapsed_ms: round(r.elapsedMs, 1),
      ...(r.firstError ? { first_error: r.firstError } : {}),
    },
  };
}
