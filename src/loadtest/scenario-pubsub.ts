import type { AgentReport, LoadDone } from './agent-types.js';
import type { MeasureSpec } from './measure.js';
import type { ScenarioName } from './options.js';
import { type PubSubStats, type ScenarioReport, summarize } from './report.js';
import {
  collect,
  drain,
  merge,
  perSec,
  range,
  resetAll,
  type ScenarioContext,
  upOnly,
  watch,
  windowFrom,
} from './scenario-kit.js';
import { trimSeries } from './series.js';

const WARMUP_MS = 20_000;

/** Subscribes the subscriber nodes, then warms each publisher until it reaches them all. */
export async function setupPubSub(ctx: ScenarioContext, scenario: ScenarioName, topic: string) {
  const { senders } = ctx.options;
  const n = ctx.cluster.agents.length;
  const publishers = upOnly(ctx, range(0, senders));
  const subscribers = upOnly(ctx, range(senders, n));
  ctx.progress({ scenario, phase: 'warming', fraction: 0 });
  const agents = ctx.cluster.agents;
  await Promise.all(subscribers.map((i) => agents[i]!.subscribe(topic, ctx.signal)));
  const warm = { topic, expect: subscribers.length, timeoutMs: WARMUP_MS };
  await Promise.all(publishers.map((i) => agents[i]!.warmPublish(warm, ctx.signal)));
  return { publishers, subscribers };
}

/** Every publisher publishes its share of the rate for the scenario's duration. */
export function publishAll(
  ctx: ScenarioContext,
  topic: string,
  publishers: readonly number[],
): Promise<LoadDone[]> {
  const o = ctx.options;
  const spec = {
    topic,
    rate: o.rate / publishers.length,
    concurrency: o.concurrency,
    durationMs: o.durationMs,
    payloadBytes: o.payloadBytes,
    qos: o.qos,
  };
  return Promise.all(publishers.map((i) => ctx.cluster.agents[i]!.publish(spec, ctx.signal)));
}

/** The numbers of a pub/sub window: what publishers sent and subscribers received. */
export function trafficReport(
  ctx: ScenarioContext,
  spec: MeasureSpec,
  pubs: readonly AgentReport[],
  subs: readonly AgentReport[],
  done: readonly LoadDone[],
) {
  const p = merge(pubs, spec);
  const s = merge(subs, spec);
  const all = merge([...pubs, ...subs], spec);
  const windowMs = ctx.clock.now() - spec.startMs;
  const elapsed = Math.max(1, ...done.map((d) => d.elapsedMs));
  const expected = p.sent * subs.length;
  const stats: PubSubStats = {
    publishers: pubs.length,
    subscribers: subs.length,
    targetRate: ctx.options.rate,
    published: p.sent,
    failed: Object.values(p.errors).reduce((n, k) => n + k, 0),
    delivered: s.delivered,
    expected,
    lost: Math.max(0, expected - s.delivered),
    publishRate: perSec(p.sent, elapsed),
    deliveryRate: perSec(s.delivered, elapsed),
    bytesPerSec: Math.round(perSec(s.delivered, elapsed) * ctx.options.payloadBytes),
  };
  const trim = (v: number[]) => trimSeries(v, spec.bucketMs, windowMs);
  return {
    stats,
    base: {
      offsetMs: Math.round(spec.startMs - ctx.runStart),
      durationMs: Math.round(windowMs),
      bucketMs: spec.bucketMs,
      series: [
        { name: 'published', label: 'published', values: trim(p.sentSeries) },
        { name: 'delivered', label: 'delivered (all subscribers)', values: trim(s.deliveredSeries) },
      ],
      latencyLabel: 'one-way message latency',
      latency: summarize(s.latency),
      events: all.events,
      eventsDropped: all.eventsDropped,
      errors: p.errors,
    },
  };
}

/** Pub/sub throughput and one-way latency: senders publish, every other node subscribes. */
export async function runPubSub(ctx: ScenarioContext): Promise<ScenarioReport> {
  const topic = `loadtest.${ctx.runId}.pubsub`;
  const { publishers, subscribers } = await setupPubSub(ctx, 'pubsub', topic);
  const spec = windowFrom(ctx, ctx.options.durationMs);
  await resetAll(ctx, spec);
  const w = watch(ctx, 'pubsub', 'running', ctx.options.durationMs);
  let done: LoadDone[];
  try {
    done = await publishAll(ctx, topic, publishers);
  } finally {
    await w.stop();
  }
  ctx.progress({ scenario: 'pubsub', phase: 'draining', fraction: 1 });
  await drain(ctx, publishers, subscribers, subscribers.length);
  const r = trafficReport(ctx, spec, await collect(ctx, publishers), await collect(ctx, subscribers), done);
  const qos = ctx.options.qos;
  return { scenario: 'pubsub', title: `Pub/sub throughput and latency (${qos})`, ...r.base, stats: r.stats };
}
