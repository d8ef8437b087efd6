import { Histogram } from './histogram.js';
import type { FormationStats, ScenarioReport } from './report.js';
import { summarize } from './report.js';
import { collect, merge, range, resetAll, type ScenarioContext, watch } from './scenario-kit.js';
import { TimeSeries } from './series.js';

/**
 * Mesh formation: node 0 starts, then every other node at once, joining through it; done
 * when every node sees every member alive. Also how every other scenario's cluster starts.
 */
export async function runFormation(ctx: ScenarioContext): Promise<ScenarioReport> {
  const { cluster, clock } = ctx;
  const n = cluster.agents.length;
  ctx.progress({ scenario: 'formation', phase: 'starting', fraction: 0 });
  await resetAll(ctx, { startMs: clock.now(), bucketMs: 1000, buckets: 1 });
  const t0 = clock.now();
  const w = watch(ctx, 'formation', 'running', 1, (t) => t.formed / n);
  try {
    await cluster.startNode(0, ctx.signal);
    await Promise.all(range(1, n).map((i) => cluster.startNode(i, ctx.signal)));
    const left = Math.max(1000, ctx.options.formationTimeoutMs - (clock.now() - t0));
    await Promise.all(cluster.agents.map((a) => a.waitFullView(left, ctx.signal)));
  } finally {
    await w.stop();
  }
  const reports = await collect(ctx, range(0, n));
  const formed = reports.map((r) => (r.fullViewAt ?? clock.now()) - t0);
  const formedMs = Math.max(...formed);
  // About 40 points over the formation, at least 50 ms each.
  const bucketMs = Math.max(50, Math.ceil(formedMs / 40 / 50) * 50);
  const buckets = Math.max(1, Math.ceil(formedMs / bucketMs) + 1);
  const spec = { startMs: t0, bucketMs, buckets };
  const m = merge(reports, spec);
  const joins = new TimeSeries(0, bucketMs, buckets);
  const full = new TimeSeries(0, bucketMs, buckets);
  for (const e of m.events) if (e.kind === 'join') joins.add(e.atMs);
  const h = new Histogram();
  for (const ms of formed) {
    full.add(ms);
    h.record(ms * 1000);
  }
  const stats: FormationStats = {
    nodes: n,
    complete: reports.filter((r) => r.fullViewAt !== undefined).length,
    formedMs: Math.round(formedMs),
    joinEvents: m.events.filter((e) => e.kind === 'join').length,
  };
  return {
    scenario: 'formation',
    title: `Mesh formation (${n} nodes join through node0)`,
    offsetMs: Math.round(t0 - ctx.runStart),
    durationMs: Math.round(formedMs),
    bucketMs,
    series: [
      {
        name: 'joins',
        label: 'members seen joining (all observers)',
        values: running(joins.values),
        cumulative: true,
      },
      {
        name: 'formed',
        label: 'nodes seeing every member alive',
        values: running(full.values),
        cumulative: true,
      },
    ],
    latencyLabel: 'time until a node sees every member alive',
    latency: summarize(h),
    events: m.events,
    eventsDropped: m.eventsDropped,
    errors: {},
    stats,
  };
}

function running(values: readonly number[]): number[] {
  let sum = 0;
  return values.map((v) => (sum += v));
}
