import { dropOldest } from '../runtime/index.js';
import { bump, RoutingError, type RoutingErrorCode } from './errors.js';
import { checkId, isNodeIdHex } from './id.js';
import { type NextHopOptions, nextHop, type RouteEnvelope } from './route.js';

/** Options of a {@link RouteGuard}. */
export interface RouteGuardOptions {
  selfId: string;
  /** Message ids remembered for loop detection (LRU). Default 4096. */
  maxSeen?: number;
  /** Largest hop limit accepted in an envelope. Default 64. */
  maxHopLimit?: number;
}

/** Routed-message counters; `rejected` by error code. */
export interface RouteStats {
  admitted: number;
  delivered: number;
  forwarded: number;
  rejected: Record<string, number>;
}

/** Where a routed message goes from here. `envelope` is the one to send on (hops + 1, path extended). */
export type RouteDecision =
  | { action: 'deliver'; envelope: RouteEnvelope }
  | { action: 'forward'; to: string; envelope: RouteEnvelope };

const MAX_MESSAGE_ID = 128;

/**
 * The checks a node runs on every routed message before acting on it: a well-formed
 * envelope, a hop count within its limit, and no loop (an id this node already handled,
 * or a path that already contains it). Rejections throw a `RoutingError` and are counted.
 * Memory is bounded by `maxSeen` ids.
 */
export class RouteGuard {
  readonly selfId: string;
  readonly stats: RouteStats = { admitted: 0, delivered: 0, forwarded: 0, rejected: {} };
  private readonly maxSeen: number;
  private readonly maxHopLimit: number;
  private readonly seen = new Set<string>();

  constructor(o: RouteGuardOptions) {
    this.selfId = checkId(o.selfId, 'self id');
    this.maxSeen = Math.max(1, o.maxSeen ?? 4096);
    this.maxHopLimit = o.maxHopLimit ?? 64;
  }

  /** Validates an envelope arriving here (or leaving its source) and records its id. */
  admit(env: RouteEnvelope): RouteEnvelope {
    const bad = this.problem(env);
    if (bad) this.reject(bad[0], bad[1]);
    if (this.seen.has(env.id) || env.path?.includes(this.selfId)) {
      this.reject('LOOP', `Message ${env.id} came back to ${this.selfId.slice(0, 8)} (a routing loop)`);
    }
    this.seen.add(env.id);
    dropOldest(this.seen, this.maxSeen);
    this.stats.admitted++;
    return env;
  }

  /**
   * Admits `env`, then decides: deliver when it is for us, else forward to the greedy
   * next hop among `connected` (never a node on its recorded path). Throws
   * `HOP_LIMIT` when no forward is left and `NO_ROUTE` when no neighbour is closer.
   */
  route(env: RouteEnvelope, connected: Iterable<string>, opts?: NextHopOptions): RouteDecision {
    this.admit(env);
    if (env.dest === this.selfId) {
      this.stats.delivered++;
      return { action: 'deliver', envelope: env };
    }
    if (env.hops >= env.hopLimit) {
      this.reject('HOP_LIMIT', `Message ${env.id} used its ${env.hopLimit} hops`);
    }
    const to = nextHop(this.selfId, env.dest, connected, env.path, { detour: !!opts?.detour && !!env.path });
    if (to === undefined) {
      this.reject(
        'NO_ROUTE',
        `No neighbour of ${this.selfId.slice(0, 8)} is closer to ${env.dest.slice(0, 8)}`,
      );
    }
    this.stats.forwarded++;
    const next: RouteEnvelope = { ...env, hops: env.hops + 1 };
    if (env.path) next.path = [...env.path, this.selfId];
    return { action: 'forward', to, envelope: next };
  }

  private reject(code: RoutingErrorCode, message: string): never {
    bump(this.stats.rejected, code);
    throw new RoutingError(code, message);
  }

  private problem(env: RouteEnvelope): [RoutingErrorCode, string] | undefined {
    if (typeof env !== 'object' || env === null)
      return ['INVALID_ENVELOPE', 'A routed message needs an envelope'];
    if (typeof env.id !== 'string' || env.id.length === 0 || env.id.length > MAX_MESSAGE_ID) {
      return ['INVALID_ENVELOPE', `A message id is 1–${MAX_MESSAGE_ID} characters`];
    }
    if (!isNodeIdHex(env.src) || !isNodeIdHex(env.dest)) {
      return ['INVALID_ID', 'Source and destination must be 64 lowercase hex characters'];
    }
    const limitOk = Number.isInteger(env.hopLimit) && env.hopLimit >= 1 && env.hopLimit <= this.maxHopLimit;
    if (!limitOk || !Number.isInteger(env.hops) || env.hops < 0) {
      return ['INVALID_ENVELOPE', `Hop counts must be integers, with a limit of 1–${this.maxHopLimit}`];
    }
    if (env.hops > env.hopLimit) return ['HOP_LIMIT', `Message ${env.id} is past its ${env.hopLimit} hops`];
    if (env.path !== undefined) {
      const ok = Array.isArray(env.path) && env.path.length <= env.hopLimit && env.path.every(isNodeIdHex);
      if (!ok) return ['INVALID_ENVELOPE', 'A recorded path is at most hopLimit node ids'];
    }
    return undefined;
  }
}
