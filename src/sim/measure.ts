import type { Observation } from './recorder.js';
import type { SwimCluster } from './swim-cluster.js';

/** Quantile of sorted numbers (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface JoinFigures {
  /** Protocol periods until every running node knew the new node. */
  periods: number;
  seconds: number;
}

/** Starts node `i` through a random running node and measures how long until everyone knows it. */
export async function measureJoin(c: SwimCluster, i: number, maxMs = 120_000): Promise<JoinFigures> {
  const node = c.node(i);
  c.recorder.track(node.id);
  const up = c.up();
  const seed = up[c.random.int(up.length)]!.index;
  const t0 = c.clock.now();
  // The join waits on virtual time: keep the clock moving while it runs.
  const joined = c.join(i, [seed]);
  await c.runUntil(() => c.up().every((n) => n.swim.stateOf(node.id) === 'alive'), { maxMs, stepMs: 50 });
  await joined;
  const last = Math.max(
    ...c
      .observations()
      .filter((o) => o.subject === node.id && o.event === 'join')
      .map((o) => o.at),
  );
  const ms = Math.max(0, last - t0);
  return { periods: ms / (c.nodes[0]!.swim.tunables.probeIntervalMs || 1), seconds: ms / 1000 };
}

export interface DetectionFigures {
  /** Over every (observer, victim) pair: seconds from the kill to `dead` at that observer. */
  p50: number;
  p99: number;
  max: number;
  /** Per victim: seconds until the first node declared it dead (median over victims). */
  firstP50: number;
  /** Per victim: seconds until every running node did (median and worst over victims). */
  allP50: number;
  allMax: number;
  victims: number;
}

/** Kills `victims` at once and measures detection until every survivor has declared each dead. */
export async function measureKill(
  c: SwimCluster,
  victims: readonly number[],
  maxMs = 120_000,
): Promise<DetectionFigures> {
  const ids = victims.map((v) => c.node(v).id);
  // Seconds to each 'dead' verdict, per victim: only numbers are kept (10,000 nodes make 10^7).
  const times = new Map(ids.map((id) => [id, [] as number[]]));
  const t0 = c.clock.now();
  const tap = (o: Observation) => {
    if (o.event === 'dead') times.get(o.subject)?.push((o.at - t0) / 1000);
  };
  c.recorder.taps.add(tap);
  try {
    for (const v of victims) c.kill(v);
    const pending = new Set(ids);
    const done = () => {
      const up = c.up();
      for (const id of pending) {
        // Verdicts counted first; the exact check only once there are enough of them.
        if (times.get(id)!.length < up.length) continue;
        if (up.every((n) => n.swim.stateOf(id) === 'dead')) pending.delete(id);
      }
      return pending.size === 0;
    };
    await c.runUntil(done, { maxMs, stepMs: 50 });
  } finally {
    c.recorder.taps.delete(tap);
  }
  const all: number[] = [];
  const first: number[] = [];
  const last: number[] = [];
  for (const list of times.values()) {
    for (const t of list) all.push(t);
    first.push(list.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY));
    last.push(list.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY));
  }
  for (const list of [all, first, last]) list.sort((a, b) => a - b);
  return {
    p50: quantile(all, 0.5),
    p99: quantile(all, 0.99),
    max: all.at(-1) ?? Number.NaN,
    firstP50: quantile(first, 0.5),
    allP50: quantile(last, 0.5),
    allMax: last.at(-1) ?? Number.NaN,
    victims: ids.length,
  };
}

export interface TrafficFigures {
  bytesPerNodePerS: number;
  msgsPerNodePerS: number;
}

/** Runs `ms` of virtual time and reports membership traffic per running node. */
export async function measureTraffic(c: SwimCluster, ms: number): Promise<TrafficFigures> {
  const b0 = c.net.stats.bytes;
  const d0 = c.net.stats.datagrams;
  await c.runFor(ms);
  const n = c.up().length;
  const s = ms / 1000;
  return {
    bytesPerNodePerS: (c.net.stats.bytes - b0) / n / s,
    msgsPerNodePerS: (c.net.stats.datagrams - d0) / n / s,
  };
}
