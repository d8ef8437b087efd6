import type { LinkInfo } from './types.js';

/**
 * Which `count` connections to close when over the bound. Order: connections nobody
 * on our side wants (`rank` 0) before long-range (1) before ring (2); among equals the
 * ones we dialed before inbound ones (another node chose to keep those), oldest first.
 */
export function pickVictims(
  conns: readonly LinkInfo[],
  count: number,
  rank: (id: string) => number,
  since: (id: string) => number,
): string[] {
  if (count <= 0) return [];
  const key = (c: LinkInfo) => [rank(c.id), c.direction === 'outbound' ? 0 : 1, since(c.id)] as const;
  return [...conns]
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2] || (a.id < b.id ? -1 : 1);
    })
    .slice(0, count)
    .map((c) => c.id);
}

/** Input of {@link planConnections}. */
export interface PlanInput {
  /** Live connections, minus those already being closed. */
  conns: readonly LinkInfo[];
  /** Members to dial if there is room, in priority order (ring neighbours first). */
  wanted: readonly string[];
  /** Dials already in flight (they count against the bound). */
  pendingDials: number;
  maxConnections: number;
  /** 0 = not desired, 0.5 = not desired but in use, 1 = long-range, 2 = ring. */
  rank: (id: string) => number;
  /** When a connection was first seen. */
  since: (id: string) => number;
}

/**
 * Brings the connection count within `maxConnections`: closes victims when over the bound
 * (see {@link pickVictims}), and admits dials while there is room. At the bound, a desired
 * peer takes the slot of an unwanted connection (ours first, then inbound, oldest first):
 * otherwise inbound connections could starve a node of its ring neighbours.
 */
export function planConnections(p: PlanInput): {
  close: Array<{ id: string; reason: string }>;
  dial: string[];
} {
  const close: Array<{ id: string; reason: string }> = [];
  for (const id of pickVictims(p.conns, p.conns.length - p.maxConnections, p.rank, p.since)) {
    close.push({ id, reason: 'over connection limit' });
  }
  const closed = new Set(close.map((c) => c.id));
  let spare = p.conns.filter((c) => p.rank(c.id) < 1 && !closed.has(c.id));
  let used = p.conns.length - close.length + p.pendingDials;
  const dial: string[] = [];
  for (const id of p.wanted) {
    if (used >= p.maxConnections) {
      const victim = pickVictims(spare, 1, p.rank, p.since)[0];
      if (victim === undefined) break;
      spare = spare.filter((c) => c.id !== victim);
      close.push({ id: victim, reason: 'making room for a desired peer' });
      used--;
    }
    dial.push(id);
    used++;
  }
  return { close, dial };
}
