import { idKey, LookupService, nextHop, RoutingTable, RttTracker } from '../routing/index.js';
import { SeededRandom, VirtualClock } from '../runtime/index.js';
import { type LookupLinkOptions, LookupNetwork, type LookupPeer } from './routing-net.js';
import {
  bruteForceClosest,
  type LookupOutcome,
  type LookupSimReport,
  mean,
  p99,
  summarize,
} from './routing-report.js';

/** Shape of a lookup simulation. */
export interface LookupSimOptions {
  nodes: number;
  seed?: number;
  k?: number;
  alpha?: number;
  link?: Partial<LookupLinkOptions>;
  /** Nodes joining at once (each through a random node that already joined). Default 32. */
  joinConcurrency?: number;
  /** Also refresh the buckets farther than the nearest neighbour on join (costs ~log2 N lookups). */
  refreshOnJoin?: boolean;
}

/**
 * N Kademlia nodes on a {@link LookupNetwork}: built the way a real network grows — each
 * node joins through a random node that already joined, by looking up its own id — with
 * tables fed only by traffic (requests received, answers received).
 */
export class LookupSim {
  readonly clock = new VirtualClock();
  readonly random: SeededRandom;
  readonly net: LookupNetwork;
  readonly peers: LookupPeer[] = [];

  private constructor(private readonly o: LookupSimOptions) {
    this.random = new SeededRandom(o.seed ?? 1);
    this.net = new LookupNetwork(this.clock, this.random, {
      lossRate: 0.01,
      retransmitMs: 200,
      maxAttempts: 3,
      ...o.link,
    });
  }

  static async build(o: LookupSimOptions): Promise<LookupSim> {
    const sim = new LookupSim(o);
    for (let i = 0; i < o.nodes; i++) sim.peers.push(sim.addPeer(i));
    const wave = o.joinConcurrency ?? 32;
    for (let i = 1; i < o.nodes; i += wave) {
      const joins = sim.peers.slice(i, i + wave).map((p) => {
        const seed = sim.peers[sim.random.int(i)]!;
        return p.lookups.join([seed.contact], { refresh: !!o.refreshOnJoin }).catch(() => undefined);
      });
      await sim.drive(Promise.all(joins));
    }
    return sim;
  }

  /** Kills a random `fraction` of the nodes, without notice; returns how many. */
  churn(fraction: number): number {
    const live = this.peers.filter((p) => p.alive);
    const n = Math.floor(live.length * fraction);
    for (let i = 0; i < n; i++) {
      const j = i + this.random.int(live.length - i);
      [live[i], live[j]] = [live[j]!, live[i]!];
      live[i]!.alive = false;
    }
    return n;
  }

  /** Runs `lookups` lookups of random ids from random live nodes, `concurrency` at a time. */
  async measure(lookups: number, concurrency = 8): Promise<LookupSimReport> {
    const live = this.peers.filter((p) => p.alive);
    const rows: LookupOutcome[] = [];
    for (let done = 0; done < lookups; done += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, lookups - done) }, async () => {
        const src = live[this.random.int(live.length)]!;
        const target = idKey(Buffer.from(this.random.bytes(32)).toString('hex'));
        const truth = bruteForceClosest(live, target, src).contact.id;
        try {
          const result = await src.lookups.lookup(target.id);
          const ok = result.closest.some((c) => c.id === truth);
          rows.push({ ok, exact: result.closest[0]?.id === truth, result });
        } catch {
          rows.push({ ok: false, exact: false });
        }
      });
      await this.drive(Promise.all(batch));
    }
    return summarize(live.length, rows);
  }

  /**
   * Greedy hop-by-hop routing between random live nodes, taking each node's live table
   * entries as its connected neighbours (an upper bound: the node connects to fewer).
   */
  routeStats(routes: number): { successRate: number; hopsMean: number; hopsP99: number } {
    const live = this.peers.filter((p) => p.alive);
    const byId = new Map(live.map((p) => [p.contact.id, p]));
    const hops: number[] = [];
    let ok = 0;
    for (let i = 0; i < routes; i++) {
      let cur = live[this.random.int(live.length)]!;
      const dest = live[this.random.int(live.length)]!.contact.id;
      const visited = new Set([cur.contact.id]);
      let h = 0;
      while (cur.contact.id !== dest && h < 64) {
        const next = nextHop(
          cur.contact.id,
          dest,
          cur.table
            .entries()
            .map((e) => e.id)
            .filter((id) => byId.has(id)),
          visited,
        );
        if (next === undefined) break;
        visited.add(next);
        cur = byId.get(next)!;
        h++;
      }
      if (cur.contact.id === dest) {
        ok++;
        hops.push(h);
      }
    }
    return { successRate: ok / routes, hopsMean: mean(hops), hopsP99: p99(hops) };
  }

  /** Mean and largest table size over live nodes. */
  tableSizes(): { mean: number; max: number } {
    const s = this.peers.filter((p) => p.alive).map((p) => p.table.size);
    return { mean: mean(s), max: Math.max(...s) };
  }

  /** Advances virtual time until `p` settles. */
  async drive<T>(p: Promise<T>): Promise<T> {
    return this.clock.settle(p);
  }

  private addPeer(i: number): LookupPeer {
    const id = Buffer.from(this.random.bytes(32)).toString('hex');
    const contact = {
      id,
      address: { host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 4433 },
    };
    const peer = { contact, key: idKey(id), latencyMs: 5 + this.random.int(45), alive: true } as LookupPeer;
    const { net, ping } = this.net.netFor(peer);
    peer.table = new RoutingTable({
      selfId: id,
      clock: this.clock,
      k: this.o.k ?? 20,
      ping,
      pingTimeoutMs: 1000,
    });
    peer.lookups = new LookupService({
      table: peer.table,
      net,
      clock: this.clock,
      random: this.random,
      rtt: new RttTracker({ capacity: 64 }),
      tunables: { alpha: this.o.alpha ?? 3 },
    });
    this.net.peers.set(id, peer);
    return peer;
  }
}
