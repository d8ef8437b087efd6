import { checkId } from '../routing/index.js';
import { type AbortOptions, raceAbort } from '../runtime/index.js';

/** Why a monitored node is down. */
export type DownReason = 'dead' | 'left' | 'unknown';

/** What `node.monitor()` resolves with. */
export interface NodeDown {
  nodeId: string;
  /** `dead`: declared failed by membership; `left`: left gracefully; `unknown`: not a member when the monitor started. */
  reason: DownReason;
}

interface Watcher {
  resolve(d: NodeDown): void;
  reject(err: Error): void;
}

/**
 * Erlang-style node monitors: a promise per watcher that settles when membership declares
 * the node dead or it leaves. Watchers are dropped when they settle or abort, so a
 * monitor never outlives its interest.
 */
export class Monitors {
  private readonly watchers = new Map<string, Set<Watcher>>();

  constructor(private readonly isAlive: (id: string) => boolean | undefined) {}

  /** Resolves when `nodeId` goes down (at once when it is not an alive member now). */
  watch(nodeId: string, opts: AbortOptions = {}): Promise<NodeDown> {
    checkId(nodeId, 'node id');
    const alive = this.isAlive(nodeId);
    if (alive !== true) return Promise.resolve({ nodeId, reason: alive === false ? 'dead' : 'unknown' });
    let fire!: Watcher;
    const p = new Promise<NodeDown>((resolve, reject) => {
      fire = { resolve, reject };
    });
    let set = this.watchers.get(nodeId);
    if (!set) {
      set = new Set();
      this.watchers.set(nodeId, set);
    }
    set.add(fire);
    const drop = () => {
      set.delete(fire);
      if (set.size === 0 && this.watchers.get(nodeId) === set) this.watchers.delete(nodeId);
    };
    p.then(drop, drop);
    return raceAbort(p, opts.signal, drop);
  }

  /** Membership news: a node died or left. */
  down(nodeId: string, reason: 'dead' | 'left'): void {
    const set = this.watchers.get(nodeId);
    if (!set) return;
    this.watchers.delete(nodeId);
    for (const w of set) w.resolve({ nodeId, reason });
  }

  /** The node stops: every watcher rejects with `err`. */
  close(err: Error): void {
    const all = [...this.watchers.values()];
    this.watchers.clear();
    for (const set of all) for (const w of set) w.reject(err);
  }

  /** Watchers waiting, for stats and leak checks. */
  get size(): number {
    let n = 0;
    for (const s of this.watchers.values()) n += s.size;
    return n;
  }
}
