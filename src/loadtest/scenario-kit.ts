/** What every scenario shares: its context, measurement windows, progress, drain and merging. */
import type { Clock, Random } from '../runtime/index.js';
import type { AgentProgress, AgentReport } from './agent-types.js';
import { sleep } from './clock.js';
import type { Cluster } from './cluster.js';
import { Histogram } from './histogram.js';
import type { MeasureSpec } from './measure.js';
import type { LoadtestOptions, ScenarioName } from './options.js';
import type { TimelineEvent } from './report.js';
import { bucketFor, sumSeries } from './series.js';

export type Phase = 'starting' | 'warming' | 'running' | 'draining' | 'detecting' | 'done';

/** Reported while a run goes on (and once per phase change). */
export interface ProgressEvent {
  scenario: ScenarioName;
  phase: Phase;
  /** Share of the phase done (0..1), where that is known. */
  fraction: number;
  /** Counters so far (absent on a phase change that carries none). */
  sent?: number;
  delivered?: number;
  errors?: number;
  /** Formation: nodes that see every member alive. */
  formed?: number;
}

export interface ScenarioContext {
  cluster: Cluster;
  options: LoadtestOptions;
  clock: Clock;
  /** Seeded from the options: the run's choices (which node to kill). */
  random: Random;
  /** Makes topic and procedure names unique per run. */
  runId: string;
  /** Load-clock instant the run started. */
  runStart: number;
  signal?: AbortSignal;
  progress(e: ProgressEvent): void;
}

/** Events kept in one scenario's report. */
const MAX_EVENTS = 5000;
const POLL_MS = 250;

/** A measurement window starting now, long enough for `ms` plus the drain. */
export function windowFrom(ctx: ScenarioContext, ms: number): MeasureSpec {
  const bucketMs = bucketFor(ms);
  return {
    startMs: ctx.clock.now(),
    bucketMs,
    buckets: Math.ceil((ms + ctx.options.drainMs + 1000) / bucketMs),
  };
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

export const upOnly = (ctx: ScenarioContext, ids: readonly number[]) =>
  ids.filter((i) => ctx.cluster.isUp(i));

export async function resetAll(ctx: ScenarioContext, spec: MeasureSpec): Promise<void> {
  const ids = upOnly(ctx, range(0, ctx.cluster.agents.length));
  await Promise.all(ids.map((i) => ctx.cluster.agents[i]!.reset(spec, ctx.signal)));
}

/** Sum of the nodes' counters (nodes killed meanwhile are skipped). */
export async function totals(ctx: ScenarioContext, ids: readonly number[], signal?: AbortSignal) {
  const all = await Promise.all(
    upOnly(ctx, ids).map((i) => ctx.cluster.agents[i]!.progress(signal).catch(() => undefined)),
  );
  const sum = { sent: 0, delivered: 0, errors: 0, formed: 0 };
  for (const p of all.filter((x): x is AgentProgress => x !== undefined)) {
    sum.sent += p.sent;
    sum.delivered += p.delivered;
    sum.errors += p.errors;
    if (p.alive >= ctx.cluster.agents.length) sum.formed++;
  }
  return sum;
}

type Totals = Awaited<ReturnType<typeof totals>>;

/**
 * Reports `phase` progress every 250 ms until `stop()`; the share done is the time
 * elapsed of `totalMs`, or what `fractionOf` says.
 */
export function watch(
  ctx: ScenarioContext,
  scenario: ScenarioName,
  phase: Phase,
  totalMs: number,
  fractionOf?: (t: Totals) => number,
) {
  const ctl = new AbortController();
  const t0 = ctx.clock.now();
  const ids = range(0, ctx.cluster.agents.length);
  const loop = (async () => {
    for (;;) {
      await sleep(ctx.clock, POLL_MS, ctl.signal);
      if (ctl.signal.aborted) return;
      const t = await totals(ctx, ids, ctl.signal).catch(() => undefined);
      if (t && !ctl.signal.aborted) {
        const fraction = Math.min(1, fractionOf ? fractionOf(t) : (ctx.clock.now() - t0) / totalMs);
        ctx.progress({ scenario, phase, fraction, ...t });
      }
    }
  })();
  return {
    async stop(): Promise<void> {
      ctl.abort();
      await loop;
    },
  };
}

/** Waits until `receivers` got `perMessage` copies of everything `senders` sent, or the drain time passed. */
export async function drain(
  ctx: ScenarioContext,
  senders: readonly number[],
  receivers: readonly number[],
  perMessage: number,
): Promise<void> {
  const until = ctx.clock.now() + ctx.options.drainMs;
  while (ctx.clock.now() < until && !ctx.signal?.aborted) {
    const s = await totals(ctx, senders, ctx.signal);
    const r = await totals(ctx, receivers, ctx.signal);
    if (r.delivered >= s.sent * perMessage) return;
    await sleep(ctx.clock, 50, ctx.signal);
  }
}

export async function collect(ctx: ScenarioContext, ids: readonly number[]): Promise<AgentReport[]> {
  return Promise.all(upOnly(ctx, ids).map((i) => ctx.cluster.agents[i]!.collect(ctx.signal)));
}

/** The nodes' numbers added up; events made relative to the window and sorted. */
export function merge(reports: readonly AgentReport[], spec: MeasureSpec) {
  const latency = new Histogram();
  const errors: Record<string, number> = {};
  let events: TimelineEvent[] = [];
  let eventsDropped = 0;
  for (const r of reports) {
    latency.merge(r.latency);
    for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;
    for (const e of r.events) events.push({ ...e, atMs: round(e.atMs - spec.startMs) });
    eventsDropped += r.eventsDropped;
  }
  events.sort((a, b) => a.atMs - b.atMs);
  if (events.length > MAX_EVENTS) {
    eventsDropped += events.length - MAX_EVENTS;
    events = events.slice(0, MAX_EVENTS);
  }
  return {
    latency,
    errors,
    events,
    eventsDropped,
    sent: reports.reduce((s, r) => s + r.sent, 0),
    delivered: reports.reduce((s, r) => s + r.delivered, 0),
    sentSeries: sumSeries(reports.map((r) => r.sentSeries)),
    deliveredSeries: sumSeries(reports.map((r) => r.deliveredSeries)),
  };
}

/** Milliseconds to 0.1 ms. */
export const round = (ms: number) => Math.round(ms * 10) / 10;

/** Rate per second of `n` over `ms`. */
export const perSec = (n: number, ms: number) => (ms > 0 ? Math.round((n * 10_000) / ms) / 10 : 0);
