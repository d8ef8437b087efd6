import type { LookupStats, TableStats } from '../routing/index.js';
import type { Router, RouterStats } from './router.js';
import type { RoutingService } from './routing.js';

/** `node.routes()`: the routing table as `macula routes` shows it. */
export interface RoutesSummary {
  selfId: string;
  k: number;
  table: TableStats;
  /** Non-empty buckets, nearest (highest index = longest shared prefix) first. */
  buckets: {
    index: number;
    size: number;
    peers: { id: string; host: string; port: number; rttMs?: number; failures: number }[];
  }[];
  lookups: LookupStats;
  routed: RouterStats;
}

export function routesSummary(routing: RoutingService, router: Router): RoutesSummary {
  const byBucket = new Map<number, RoutesSummary['buckets'][number]>();
  for (const e of routing.table.entries()) {
    const index = routing.table.bucketOf(e.id);
    let b = byBucket.get(index);
    if (!b) {
      b = { index, size: 0, peers: [] };
      byBucket.set(index, b);
    }
    b.size++;
    b.peers.push({
      id: e.id,
      host: e.address.host,
      port: e.address.port,
      ...(e.rttMs !== undefined ? { rttMs: e.rttMs } : {}),
      failures: e.failures,
    });
  }
  return {
    selfId: routing.table.selfId,
    k: routing.table.k,
    table: routing.table.stats(),
    buckets: [...byBucket.values()].sort((a, b) => b.index - a.index),
    lookups: { ...routing.lookups.stats, rejected: { ...routing.lookups.stats.rejected } },
    routed: { ...router.stats, rejected: { ...router.stats.rejected } },
  };
}
