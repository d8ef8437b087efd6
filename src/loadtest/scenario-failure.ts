import { throwIfAborted } from '../runtime/index.js';
import type { LoadDone } from './agent-types.js';
import { sleep } from './clock.js';
import type { FailureStats, ScenarioReport, TimelineEvent } from './report.js';
import {
  collect,
  drain,
  range,
  resetAll,
  type ScenarioContext,
  upOnly,
  watch,
  windowFrom,
} from './scenario-kit.js';
import { publishAll, setupPubSub, trafficReport } from './scenario-pubsub.js';

/** How long the failure scenario waits, after the load, for every survivor to declare a killed node dead. */
const DETECT_MS = 15_000;

interface Injected {
  target: string;
  victim?: number;
  atMs: number;
  healedAtMs: number | null;
}

/**
 * Pub/sub traffic with a fault a third of the way in: a subscriber node killed, the mesh
 * cut in two, or packet loss on every link. Partitions and loss are healed two thirds in.
 */
export async function runFailure(ctx: ScenarioContext): Promise<ScenarioReport> {
  const o = ctx.options;
  const topic = `loadtest.${ctx.runId}.failure`;
  const { publishers, subscribers } = await setupPubSub(ctx, 'failure', topic);
  const spec = windowFrom(ctx, o.durationMs);
  await resetAll(ctx, spec);
  const w = watch(ctx, 'failure', 'running', o.durationMs);
  let done: LoadDone[];
  let injected: Injected;
  try {
    [done, injected] = await Promise.all([
      publishAll(ctx, topic, publishers),
      inject(ctx, subscribers, spec.startMs),
    ]);
  } finally {
    await w.stop();
  }
  ctx.progress({ scenario: 'failure', phase: 'draining', fraction: 1 });
  const survivors = upOnly(ctx, subscribers);
  await drain(ctx, publishers, survivors, survivors.length);
  if (injected.victim !== undefined) {
    ctx.progress({ scenario: 'failure', phase: 'detecting', fraction: 1 });
    await untilDeclaredDead(ctx, [...publishers, ...survivors], injected.target);
  }
  const r = trafficReport(ctx, spec, await collect(ctx, publishers), await collect(ctx, survivors), done);
  const faultEvents: TimelineEvent[] = [
    { atMs: injected.atMs, kind: 'fault', subject: injected.target, detail: o.fault },
  ];
  if (injected.healedAtMs !== null) {
    faultEvents.push({ atMs: injected.healedAtMs, kind: 'heal', subject: injected.target, detail: o.fault });
  }
  const events = [...r.base.events, ...faultEvents].sort((a, b) => a.atMs - b.atMs);
  const stats: FailureStats = {
    ...r.stats,
    fault: o.fault,
    target: injected.target,
    injectedAtMs: injected.atMs,
    healedAtMs: injected.healedAtMs,
    ...detection(r.base.events, injected, survivors.length + publishers.length, ctx.cluster.names),
    membershipEvents: r.base.events.length,
  };
  return { scenario: 'failure', title: `Failure injection: ${describe(o.fault)}`, ...r.base, events, stats };
}

/** Waits (at most DETECT_MS) until every node still up has declared `victim` dead. */
async function untilDeclaredDead(
  ctx: ScenarioContext,
  ids: readonly number[],
  victim: string,
): Promise<void> {
  const until = ctx.clock.now() + Math.max(ctx.options.drainMs, DETECT_MS);
  while (ctx.clock.now() < until && !ctx.signal?.aborted) {
    const views = await Promise.all(upOnly(ctx, ids).map((i) => ctx.cluster.agents[i]!.progress(ctx.signal)));
    if (views.every((v) => v.down.includes(victim))) return;
    await sleep(ctx.clock, 100, ctx.signal);
  }
}

function describe(fault: string): string {
  if (fault === 'kill') return 'a subscriber node killed during traffic';
  if (fault === 'partition') return 'the mesh cut in two during traffic, then healed';
  return 'packet loss on every link during traffic, then healed';
}

/** Waits a third of the duration, injects the fault, and (partition, loss) heals it at two thirds. */
async function inject(
  ctx: ScenarioContext,
  subscribers: readonly number[],
  startMs: number,
): Promise<Injected> {
  const { cluster, clock, options: o } = ctx;
  const third = o.durationMs / 3;
  await sleep(clock, third, ctx.signal);
  throwIfAborted(ctx.signal);
  const at = () => Math.round((clock.now() - startMs) * 10) / 10;
  if (o.fault === 'kill') {
    const victim = subscribers[ctx.random.int(subscribers.length)]!;
    const atMs = at();
    await cluster.kill(victim);
    return { target: cluster.names[victim]!, victim, atMs, healedAtMs: null };
  }
  const n = cluster.agents.length;
  let target: string;
  if (o.fault === 'partition') {
    const a = range(0, Math.ceil(n / 2));
    const b = range(Math.ceil(n / 2), n);
    await cluster.partition(a, b, ctx.signal);
    target = `${span(cluster.names, a)} | ${span(cluster.names, b)}`;
  } else {
    await cluster.loss(o.loss, ctx.signal);
    target = `${Math.round(o.loss * 1000) / 10} % of packets`;
  }
  const atMs = at();
  await sleep(clock, third, ctx.signal);
  await cluster.heal(ctx.signal);
  return { target, atMs, healedAtMs: at() };
}

const span = (names: readonly string[], ids: readonly number[]) =>
  ids.length === 1 ? names[ids[0]!]! : `${names[ids[0]!]}–${names[ids.at(-1)!]}`;

/** Kill only: how fast the survivors noticed (ms after the kill). */
function detection(
  events: readonly TimelineEvent[],
  inj: Injected,
  observers: number,
  names: readonly string[],
) {
  const none = { firstSuspectMs: null, firstDeadMs: null, allDeadMs: null };
  if (inj.victim === undefined) return none;
  const victim = names[inj.victim];
  const about = events.filter((e) => e.subject === victim && e.atMs >= inj.atMs);
  const first = (kind: string) => about.find((e) => e.kind === kind)?.atMs;
  const suspect = first('suspect');
  const dead = first('dead');
  const deadBy = new Map<string, number>();
  for (const e of about)
    if (e.kind === 'dead' && e.observer && !deadBy.has(e.observer)) deadBy.set(e.observer, e.atMs);
  const ms = (t: number | undefined) => (t === undefined ? null : Math.round((t - inj.atMs) * 10) / 10);
  return {
    firstSuspectMs: ms(suspect),
    firstDeadMs: ms(dead),
    allDeadMs: deadBy.size >= observers ? ms(Math.max(...deadBy.values())) : null,
  };
}
