import { compareDistance, type IdKey, type LookupResult } from '../routing/index.js';
import type { LookupPeer } from './routing-net.js';

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

/** Why a routed message was not delivered. */
export type RouteFailure = 'no-route' | 'hop-limit';

/** One routed message. `timeouts` are next hops that were dead; `dials` new connections. */
export interface RouteOutcome {
  delivered: boolean;
  hops: number;
  timeouts: number;
  dials: number;
  failure?: RouteFailure;
}

/** What `RouteSim.measure` found; hop figures are over delivered messages. */
export interface RouteReport {
  alive: number;
  routes: number;
  successRate: number;
  hopsMean: number;
  hopsP99: number;
  /** Dead next hops tried per message (each costs a dial or request timeout). */
  timeoutsMean: number;
  /** Connections opened per message (no connection to the chosen contact yet). */
  dialsMean: number;
  failures: Record<RouteFailure, number>;
}

/** Success rate, hops over delivered messages, and costs over all of them. */
export function summarizeRoutes(alive: number, rows: readonly RouteOutcome[]): RouteReport {
  const ok = rows.filter((r) => r.delivered);
  const failures = { 'no-route': 0, 'hop-limit': 0 };
  for (const r of rows) if (r.failure) failures[r.failure]++;
  return {
    alive,
    routes: rows.length,
    successRate: ok.length / rows.length,
    hopsMean: mean(ok.map((r) => r.hops)),
    hopsP99: p99(ok.map((r) => r.hops)),
    timeoutsMean: mean(rows.map((r) => r.timeouts)),
    dialsMean: mean(rows.map((r) => r.dials)),
    failures,
  };
}

/** The live node closest to `t`, other than `except` (what a perfect lookup would find). */
export function bruteForceClosest(live: readonly LookupPeer[], t: IdKey, except: LookupPeer): LookupPeer {
  let best: LookupPeer | undefined;
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
