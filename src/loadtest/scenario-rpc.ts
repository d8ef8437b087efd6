import type { LoadDone } from './agent-types.js';
import type { RpcStats, ScenarioReport } from './report.js';
import { summarize } from './report.js';
import {
  collect,
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
const CALL_TIMEOUT_MS = 5000;

/** RPC latency and calls per second: senders call an echo procedure every other node provides. */
export async function runRpc(ctx: ScenarioContext): Promise<ScenarioReport> {
  const o = ctx.options;
  const agents = ctx.cluster.agents;
  const procedure = `loadtest.${ctx.runId}.echo`;
  const callers = upOnly(ctx, range(0, o.senders));
  const providers = upOnly(ctx, range(o.senders, agents.length));
  ctx.progress({ scenario: 'rpc', phase: 'warming', fraction: 0 });
  await Promise.all(providers.map((i) => agents[i]!.register(procedure, ctx.signal)));
  const warm = { procedure, calls: 3, timeoutMs: WARMUP_MS };
  await Promise.all(callers.map((i) => agents[i]!.warmCall(warm, ctx.signal)));

  const spec = windowFrom(ctx, o.durationMs);
  await resetAll(ctx, spec);
  const load = {
    procedure,
    rate: o.rate / callers.length,
    concurrency: o.concurrency,
    durationMs: o.durationMs,
    payloadBytes: o.payloadBytes,
    timeoutMs: CALL_TIMEOUT_MS,
  };
  const w = watch(ctx, 'rpc', 'running', o.durationMs);
  let done: LoadDone[];
  try {
    done = await Promise.all(callers.map((i) => agents[i]!.call(load, ctx.signal)));
  } finally {
    await w.stop();
  }
  const callerReports = await collect(ctx, callers);
  const c = merge(callerReports, spec);
  const all = merge([...callerReports, ...(await collect(ctx, providers))], spec);
  const windowMs = ctx.clock.now() - spec.startMs;
  const elapsed = Math.max(1, ...done.map((d) => d.elapsedMs));
  const failed = Object.values(c.errors).reduce((s, n) => s + n, 0);
  const stats: RpcStats = {
    callers: callers.length,
    providers: providers.length,
    targetRate: o.rate,
    concurrency: o.concurrency,
    calls: c.sent,
    answered: c.delivered,
    failed,
    callsPerSec: perSec(c.delivered, elapsed),
  };
  const trim = (v: number[]) => trimSeries(v, spec.bucketMs, windowMs);
  return {
    scenario: 'rpc',
    title: `RPC latency and calls per second (${o.concurrency} in flight at most per caller)`,
    offsetMs: Math.round(spec.startMs - ctx.runStart),
    durationMs: Math.round(windowMs),
    bucketMs: spec.bucketMs,
    series: [
      { name: 'calls', label: 'calls started', values: trim(c.sentSeries) },
      { name: 'answered', label: 'calls answered', values: trim(c.deliveredSeries) },
    ],
    latencyLabel: 'call latency (round trip)',
    latency: summarize(c.latency),
    events: all.events,
    eventsDropped: all.eventsDropped,
    errors: c.errors,
    stats,
  };
}
