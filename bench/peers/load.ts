/**
 * The workloads as worker.ts runs them on a {@link PeerAdapter}. They follow
 * bench/messaging/worker.ts (the macula side of this bench) step for step: the same
 * payload layout and phases, the same pacing and send-time stamping, the same counting.
 */

import { pacedPublish, runParallel, timeSequential } from '../messaging/measure.js';
import { makePayload, PHASE } from '../messaging/protocol.js';
import type { FloodReply, PacedReply, RpcParReply, RpcSeqReply } from './protocol.js';
import type { PeerAdapter } from './systems/adapter.js';

/** Publishes between two clock checks and backpressure waits. */
const BATCH = 256;

/**
 * Publishes back to back: `warmupMs` of warm-up messages, then `ms` of measured ones. At most
 * `window` publishes are outstanding: libp2p's publish() is async (it signs and hashes
 * through promises and resolves once the message is queued), so the publisher does not wait
 * for each one in turn, as an application streaming messages would not.
 */
export async function flood(
  a: PeerAdapter,
  topic: string,
  warmupMs: number,
  ms: number,
  window: number,
): Promise<FloodReply> {
  // Two buffers, never changed: a message still being sent keeps its phase.
  const warm = makePayload().bytes;
  warm[0] = PHASE.warmup;
  const measured = makePayload().bytes;
  measured[0] = PHASE.measured;
  const pending = new Set<Promise<unknown>>();
  let sendFailures = 0;
  const run = async (bytes: Uint8Array, until: number): Promise<number> => {
    let sent = 0;
    while (performance.now() < until) {
      for (let i = 0; i < BATCH; i++) {
        const p = a.publish(topic, bytes);
        if (p !== undefined) {
          const tracked: Promise<unknown> = p
            .catch(() => sendFailures++)
            .finally(() => pending.delete(tracked));
          pending.add(tracked);
          if (pending.size >= window) await Promise.race(pending);
        }
      }
      sent += BATCH;
      await a.backpressure();
    }
    await Promise.all(pending);
    return sent;
  };
  await run(warm, performance.now() + warmupMs);
  const t0 = performance.now();
  const sent = await run(measured, t0 + ms);
  return { type: 'flood-done', sent, elapsedMs: performance.now() - t0, sendFailures };
}

/** Publishes at `rate` per second, each payload stamped with its send time (measure.ts `pacedPublish`). */
export async function paced(
  a: PeerAdapter,
  topic: string,
  rate: number,
  warmupMs: number,
  ms: number,
): Promise<PacedReply> {
  // A fresh buffer per message: a system may still hold the previous one after publish() returned.
  const timing = await pacedPublish({
    rate,
    warmupMs,
    ms,
    freshPayload: true,
    publish: (bytes) => a.publish(topic, bytes),
  });
  return { type: 'paced-done', ...timing };
}

export async function requestSequential(
  a: PeerAdapter,
  name: string,
  warmup: number,
  count: number,
): Promise<RpcSeqReply> {
  return { type: 'rpc-seq-done', samplesUs: await timeSequential(warmup, count, (b) => a.request(name, b)) };
}

/** `inflight` loops requesting back to back; completed requests in the measured `ms`. */
export async function requestParallel(
  a: PeerAdapter,
  name: string,
  inflight: number,
  warmupMs: number,
  ms: number,
): Promise<RpcParReply> {
  const r = await runParallel(inflight, warmupMs, ms, (b) => a.request(name, b));
  return { type: 'rpc-par-done', ...r };
}
