/** The load one node generates or receives: paced publishes, a counting subscription, paced calls. */
import type { MaculaNode, Subscription } from '../node/index.js';
import { type Clock, raceAbort } from '../runtime/index.js';
import type { CallSpec, LoadDone, PublishSpec } from './agent-types.js';
import { sleep } from './clock.js';
import { LoadtestError } from './errors.js';
import type { Measure } from './measure.js';
import { pace } from './pace.js';

/** Byte 0 of a load-test message: warm-up messages are not counted. */
const WARMUP = 0;
const MEASURED = 1;
/** Bytes 8..16: the send instant on the load clock (float64), for one-way latency. */
const STAMP_AT = 8;

function payload(bytes: number): { data: Uint8Array; view: DataView } {
  const data = new Uint8Array(bytes);
  return { data, view: new DataView(data.buffer) };
}

/** Subscribes to `topic` and counts each measured message with its one-way latency. */
export async function countingSubscription(
  node: MaculaNode,
  topic: string,
  clock: Clock,
  measure: () => Measure,
  signal?: AbortSignal,
): Promise<Subscription<Uint8Array>> {
  const sub = node.subscribe<Uint8Array>(
    topic,
    (e) => {
      const p = e.payload;
      if (!(p instanceof Uint8Array) || p.byteLength < 16 || p[0] !== MEASURED) return;
      const now = clock.now();
      const sent = new DataView(p.buffer, p.byteOffset, p.byteLength).getFloat64(STAMP_AT);
      measure().onDelivered(now, now - sent);
    },
    { capacity: 1 << 16, retained: false, signal },
  );
  await raceAbort(sub.ready, signal, () => sub.unsubscribe());
  return sub;
}

/** Publishes acknowledged warm-up messages until `expect` subscriber nodes acknowledge one. */
export async function warmPublish(
  node: MaculaNode,
  arg: { topic: string; expect: number; timeoutMs: number },
  clock: Clock,
  signal?: AbortSignal,
): Promise<void> {
  const { data } = payload(16);
  data[0] = WARMUP;
  const until = clock.now() + arg.timeoutMs;
  let last: unknown;
  while (clock.now() < until && !signal?.aborted) {
    try {
      const r = await node.publish(arg.topic, data, { ack: true, timeoutMs: 2000, signal });
      if (r.subscribers.length >= arg.expect) return;
    } catch (e) {
      last = e;
    }
    await sleep(clock, 100, signal);
  }
  throw new LoadtestError('WARMUP_TIMEOUT', `${arg.expect} subscribers not reached on ${arg.topic}`, {
    cause: last,
  });
}

/** Publishes measured messages as `spec` says; failures are counted by code. */
export function publishLoad(
  node: MaculaNode,
  spec: PublishSpec,
  clock: Clock,
  measure: Measure,
  signal?: AbortSignal,
): Promise<LoadDone> {
  const opts = { qos: spec.qos };
  return pace(
    spec,
    async () => {
      // A buffer per message: at-least-once retries may encode it again later.
      const { data, view } = payload(spec.payloadBytes);
      data[0] = MEASURED;
      const at = clock.now();
      view.setFloat64(STAMP_AT, at);
      try {
        await node.publish(spec.topic, data, opts);
        // Counted once accepted: a refused publish (OUTBOX_FULL…) is an error, not a loss.
        measure.onSent(at);
      } catch (e) {
        measure.onError(e);
      }
    },
    clock,
    signal,
  );
}

/** Calls `procedure` until `calls` calls in a row succeeded. */
export async function warmCall(
  node: MaculaNode,
  arg: { procedure: string; calls: number; timeoutMs: number },
  clock: Clock,
  signal?: AbortSignal,
): Promise<void> {
  const until = clock.now() + arg.timeoutMs;
  let ok = 0;
  let last: unknown;
  while (ok < arg.calls && !signal?.aborted) {
    if (clock.now() > until) {
      throw new LoadtestError('WARMUP_TIMEOUT', `${arg.procedure} not callable`, { cause: last });
    }
    try {
      await node.call(arg.procedure, null, { timeoutMs: 2000, signal });
      ok++;
    } catch (e) {
      last = e;
      ok = 0;
      await sleep(clock, 100, signal);
    }
  }
}

/** Calls as `spec` says, recording each answered call's latency; failures are counted by code. */
export function callLoad(
  node: MaculaNode,
  spec: CallSpec,
  clock: Clock,
  measure: Measure,
  signal?: AbortSignal,
): Promise<LoadDone> {
  const { data } = payload(spec.payloadBytes);
  const opts = { timeoutMs: spec.timeoutMs, signal };
  return pace(
    spec,
    async () => {
      const at = clock.now();
      measure.onSent(at);
      try {
        await node.call(spec.procedure, data, opts);
        const now = clock.now();
        measure.onDelivered(now, now - at);
      } catch (e) {
        if (!signal?.aborted) measure.onError(e);
      }
    },
    clock,
    signal,
  );
}
