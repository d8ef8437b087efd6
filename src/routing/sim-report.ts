import { compareDistance, type IdKey } from './id.js';
import type { SimPeer } from './sim-net.js';
import type { LookupResult } from './types.js';

/** What {@link LookupSim.measure} found. Cost figures are over the lookups that returned. */
export interface LookupSimReport {
  alive: number;
  lookups: number;
  /** Lookups whose result holds the true closest live node (brute force). */
  successRate: number;
  /** Lookups whose first result is that node. */
  exactRate: number;
  hopsMean: number;
  hopsP99: number;
  roundsMean: number;
  messagesMean: number;
  timeoutsMean: number;
  durationMeanMs: number;
  durationP99Ms: number;
}

/** One measured lookup: did it find the true closest node, and what it reported (if it returned). */
export interface LookupOutcome {
  ok: boolean;
  exact: boolean;
  result?: LookupResult;
}

export function summarize(alive: number, rows: readonly LookupOutcome[]): LookupSimReport {
  const done = rows.flatMap((r) => (r.result ? [r.result] : []));
  const of = (f: (r: LookupResult) => number) => done.map(f);
  return {
    alive,
    lookups: rows.length,
    successRate: rows.filter((r) => r.ok).length / rows.length,
    exactRate: rows.filter((r) => r.exact).length / rows.length,
    hopsMean: mean(of((r) => r.hops)),
    hopsP99: p99(of((r) => r.hops)),
    roundsMean: mean(of((r) => r.rounds)),
    messagesMean: mean(of((r) => r.messages)),
    timeoutsMean: mean(of((r) => r.timeouts)),
    durationMeanMs: mean(of((r) => r.durationMs)),
    durationP99Ms: p99(of((r) => r.durationMs)),
  };
}

/** The live node closest to `t`, other than `except` (what a perfect lookup would find). */
export function bruteForceClosest(live: readonly SimPeer[], t: IdKey, except: SimPeer): SimPeer {
  let best: SimPeer | undefined;
  for (const p of live) if (p !== except && (!best || compareDistance(p.key, best.key, t) < 0)) best = p;
  return best!;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function p99(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(0.99 * s.length) - 1)]!;
}
