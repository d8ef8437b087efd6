import { checkId, compareDistance, type IdKey, idKey, isNodeIdHex } from './id.js';

/** Forwards a routed message may take by default (log2 of a million nodes is 20). */
export const DEFAULT_HOP_LIMIT = 32;

/** A message routed hop by hop towards the node `dest` (the payload travels beside it). */
export interface RouteEnvelope {
  /** Unique message id, 1–128 characters: nodes drop an id they already handled (loop). */
  id: string;
  /** Source node id. */
  src: string;
  /** Destination node id. */
  dest: string;
  /** Forwards so far (0 when the source sends it). */
  hops: number;
  /** Most forwards allowed. */
  hopLimit: number;
  /** Nodes that forwarded it, source first; present only when the source asked for it. */
  path?: string[];
}

/** What a new envelope needs; `recordPath` starts an empty path that every hop extends. */
export interface EnvelopeInit {
  id: string;
  src: string;
  dest: string;
  hopLimit?: number;
  recordPath?: boolean;
}

/** A fresh envelope (ids validated: `RoutingError('INVALID_ID')`). */
export function createEnvelope(o: EnvelopeInit): RouteEnvelope {
  const env: RouteEnvelope = {
    id: o.id,
    src: checkId(o.src, 'source id'),
    dest: checkId(o.dest, 'destination id'),
    hops: 0,
    hopLimit: o.hopLimit ?? DEFAULT_HOP_LIMIT,
  };
  if (o.recordPath) env.path = [];
  return env;
}

/** How {@link nextHop} may choose. */
export interface NextHopOptions {
  /**
   * When no unvisited neighbour is closer than we are, take the closest unvisited one
   * anyway (a detour around a local minimum). Only loop-free with a recorded path.
   */
  detour?: boolean;
}

type Visited = ReadonlySet<string> | readonly string[] | undefined;

function visitedHas(v: Visited, id: string): boolean {
  if (!v) return false;
  return v instanceof Set ? v.has(id) : (v as readonly string[]).includes(id);
}

/**
 * Greedy next hop towards `dest`: the connected neighbour closest to it by XOR that is
 * strictly closer than we are and not in `visited` (so when the best was already visited,
 * the next-best is taken). Undefined when none qualifies (or we are `dest`): deliver
 * here if we are the destination, else the message has no route. Never returns `selfId`.
 */
export function nextHop(
  selfId: string,
  dest: string,
  connected: Iterable<string>,
  visited?: Visited,
  opts: NextHopOptions = {},
): string | undefined {
  const t = idKey(checkId(dest, 'destination id'));
  const self = idKey(checkId(selfId, 'self id'));
  let best: IdKey | undefined;
  for (const id of connected) {
    if (id === selfId || !isNodeIdHex(id) || visitedHas(visited, id)) continue;
    const c = idKey(id);
    if (!best || compareDistance(c, best, t) < 0) best = c;
  }
  if (!best) return undefined;
  if (compareDistance(best, self, t) < 0 || opts.detour) return best.id;
  return undefined;
}

/**
 * Every connected neighbour strictly closer to `dest` than we are and not visited,
 * best first, up to `max`: the order to try when sending to the best one fails.
 */
export function rankNextHops(
  selfId: string,
  dest: string,
  connected: Iterable<string>,
  visited?: Visited,
  max = Number.POSITIVE_INFINITY,
): string[] {
  const t = idKey(checkId(dest, 'destination id'));
  const self = idKey(checkId(selfId, 'self id'));
  const out: IdKey[] = [];
  for (const id of connected) {
    if (id === selfId || !isNodeIdHex(id) || visitedHas(visited, id)) continue;
    const c = idKey(id);
    if (compareDistance(c, self, t) < 0) out.push(c);
  }
  out.sort((a, b) => compareDistance(a, b, t));
  return out.slice(0, max).map((c) => c.id);
}
