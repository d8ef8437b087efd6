/**
 * What one publish costs in a large mesh: a model built from the node's own routing,
 * topology and pub/sub code on the simulated network of src/sim (virtual clock), in its
 * own process (run.ts spawns it).
 *
 * The mesh: N nodes with random ids; routing tables fed by membership (every member
 * observed, as in a node: RouteSim); connections = the k-regular topology each node wants
 * (`chooseLinks`: 4 ring neighbours + ⌈log2(N)/2⌉ long-range links, both ends holding
 * each link) plus what the traffic below dials. One publisher, S subscriber nodes, a
 * topic of depth 2 (`metrics.cpu`: `lookupKeys` gives 4 DHT keys).
 *
 * A publish, as src/node/pubsub.ts does it:
 * - cache miss (the subscriber list is older than 1 s): one DHT get per lookup key, in
 *   parallel — each an iterative lookup (LookupService over the membership-fed tables,
 *   k = 20 = replicas, alpha = 3; requests + replies counted by the lookup) followed by
 *   FIND_VALUE to the 3 closest (getFanout: 3 requests + 3 replies). The lookup dials the
 *   peers it queries (`connectTo`), so the publisher's connections grow, bounded at 64
 *   (unwanted outbound ones evicted first, oldest first, as `pickVictims` orders them).
 * - then, per subscriber node: one PUBLISH frame on the channel when connected;
 *   otherwise routed, hop by hop with the Router's choice of next hop (`candidates`: the
 *   destination when connected, else the connected neighbours closer to it by XOR, else
 *   closer table contacts or the destination itself, dialled), each link one ROUTE
 *   request and its reply (2 frames); and the publisher dials that subscriber node
 *   (src/node/direct-dialer.ts) while fewer than 48 of its links carry messages, so
 *   later publishes reach it directly. Links that carry messages are evicted after the
 *   unused ones (least recently used first), as the topology does.
 * A dial costs a Macula handshake (hello + proof each way: 4 frames), counted in the totals.
 *
 * Not modelled: other nodes' traffic (their lookups, announcements, refreshes) adding
 * connections; the topology manager's later pruning; losses (every node answers).
 */
import { DEFAULT_DHT_TUNABLES, dhtKey } from '../../src/dht/index.js';
import { lookupKeys } from '../../src/pubsub/index.js';
import { LookupService, RttTracker, rankNextHops } from '../../src/routing/index.js';
import { SeededRandom } from '../../src/runtime/index.js';
import { LookupNetwork, type LookupPeer, RouteSim } from '../../src/sim/index.js';
import { chooseLinks, Ring } from '../../src/topology/index.js';
import { mean } from '../lib/stats.js';

export const TOPIC = 'metrics.cpu';
/** Frames of one Macula handshake (each side: hello, proof). */
export const HANDSHAKE_FRAMES = 4;
const MAX_TRIES = 3;
const MAX_CONNECTIONS = 64;
/** The DirectDialer's budget: links in use by messages, below maxConnections − 16. */
const DIRECT_BUDGET = MAX_CONNECTIONS - 16;
const REPLICAS = 20;
const RING_K = 4;

export interface ModelFigures {
  nodes: number;
  subscriber_nodes: number;
  dht_keys: number;
  /** Steady state (subscriber list cached): frames per publish, all nodes. */
  steady_msgs_mean: number;
  steady_msgs_max: number;
  /** Share of subscriber nodes the publisher reached over a direct connection. */
  steady_direct_share: number;
  /** Links a routed delivery took (mean over routed deliveries). */
  routed_links_mean: number;
  routed_links_max: number;
  steady_dials_mean: number;
  /** Cache miss: frames per publish, all nodes (DHT reads + deliveries + handshakes). */
  miss_msgs_mean: number;
  /** Of which: per DHT key, the lookup's requests + replies; FIND_VALUE requests + replies. */
  lookup_msgs_per_key: number;
  find_value_msgs_per_key: number;
  miss_dials_mean: number;
  /** After its last publish (mean over trials). */
  publisher_connections: number;
  trials: number;
  /** Publishes simulated, both kinds. */
  samples: number;
  wall_s: number;
}

/** Connections of one node, with what eviction needs to know. */
interface Link {
  since: number;
  /** 2 ring neighbour, 1 long-range, 0 not wanted by this node. */
  rank: number;
  outbound: boolean;
  /** When messages last crossed it (this trial's publishes are all within `inUseMs`). */
  used?: number;
}

class Mesh {
  readonly sim: RouteSim;
  readonly ids: string[];
  readonly index = new Map<string, number>();
  readonly links: Map<number, Link>[];
  private tick = 0;

  constructor(n: number, seed: number) {
    this.sim = RouteSim.build({ nodes: n, seed });
    this.ids = this.sim.nodes.map((x) => x.contact.id);
    for (const [i, id] of this.ids.entries()) this.index.set(id, i);
    this.links = this.ids.map(() => new Map());
    const ring = new Ring(this.ids);
    for (const [i, id] of this.ids.entries()) {
      const want = chooseLinks(ring, id, RING_K);
      for (const x of want.ring) this.connect(i, this.index.get(x)!, 2);
      for (const x of want.longRange) this.connect(i, this.index.get(x)!, 1);
    }
  }

  /** `i` dials `j` (no-op when connected); `rank` is how much `i` wants the link. */
  connect(i: number, j: number, rank = 0): boolean {
    const mine = this.links[i]!.get(j);
    if (mine) {
      mine.rank = Math.max(mine.rank, rank);
      return false;
    }
    this.tick++;
    this.links[i]!.set(j, { since: this.tick, rank, outbound: true });
    if (!this.links[j]!.has(i)) this.links[j]!.set(i, { since: this.tick, rank: 0, outbound: false });
    return true;
  }

  /** Messages crossed the link `i` → `j` (both ends see them). */
  use(i: number, j: number): void {
    this.tick++;
    for (const l of [this.links[i]!.get(j), this.links[j]!.get(i)]) if (l) l.used = this.tick;
  }

  /** Links of `i` in use by messages. */
  inUse(i: number): number {
    let n = 0;
    for (const l of this.links[i]!.values()) if (l.used !== undefined) n++;
    return n;
  }

  /**
   * Brings node `i` back to the connection bound (pickVictims' order: an unwanted link in
   * use ranks 0.5, and those go least recently used first).
   */
  evict(i: number): void {
    const mine = this.links[i]!;
    const over = mine.size - MAX_CONNECTIONS;
    if (over <= 0) return;
    const rank = (l: Link) => (l.rank === 0 && l.used !== undefined ? 0.5 : l.rank);
    const age = (l: Link) => (rank(l) === 0.5 ? l.used! : l.since);
    const victims = [...mine.entries()]
      .sort(
        ([, a], [, b]) => rank(a) - rank(b) || (a.outbound ? 0 : 1) - (b.outbound ? 0 : 1) || age(a) - age(b),
      )
      .slice(0, over);
    for (const [j] of victims) {
      mine.delete(j);
      this.links[j]!.delete(i);
    }
  }

  connectedIds(i: number): string[] {
    return [...this.links[i]!.keys()].map((j) => this.ids[j]!);
  }

  /** The Router's next hop from `cur` towards `dest` (its first candidate). */
  nextHop(cur: number, dest: number, src: number): number | undefined {
    if (this.links[cur]!.has(dest)) return dest;
    const self = this.ids[cur]!;
    const d = this.ids[dest]!;
    const visited = new Set([this.ids[src]!]);
    const out = rankNextHops(self, d, this.connectedIds(cur), visited, MAX_TRIES);
    if (out.length < MAX_TRIES) {
      const have = new Set(out);
      const table = this.sim.nodes[cur]!.table;
      const closer = rankNextHops(
        self,
        d,
        table.closest(d).map((c) => c.id),
        visited,
      );
      for (const id of closer) if (!have.has(id) && out.length < MAX_TRIES) out.push(id);
      if (out.length < MAX_TRIES && !have.has(d) && !closer.includes(d)) out.push(d);
    }
    const first = out[0];
    return first === undefined ? undefined : this.index.get(first);
  }

  /** Delivers one message from `src` to `dest`: links taken and dials made. */
  route(src: number, dest: number): { links: number; dials: number } {
    let cur = src;
    let links = 0;
    let dials = 0;
    while (cur !== dest) {
      const next = this.nextHop(cur, dest, src);
      if (next === undefined || links >= 32) throw new Error(`no route ${src} → ${dest}`);
      if (this.connect(cur, next)) dials++;
      cur = next;
      links++;
    }
    return { links, dials };
  }
}

/**
 * The model at `n` nodes: `trials` publishers (each with its own `s` random subscriber
 * nodes) on one mesh, each alternating a cache-miss publish and a cached one, `samples`
 * of each.
 */
export async function model(
  n: number,
  s: number,
  samples: number,
  trials: number,
  seed = 11,
): Promise<ModelFigures> {
  const w0 = performance.now();
  const mesh = new Mesh(n, seed);
  const sim = mesh.sim;
  const random = new SeededRandom(seed + 1);
  const net = new LookupNetwork(sim.clock, random, { lossRate: 0, retransmitMs: 200, maxAttempts: 3 });
  const peers: LookupPeer[] = sim.nodes.map((x) => {
    const p = {
      contact: x.contact,
      key: x.key,
      latencyMs: 5 + random.int(45),
      alive: true,
      table: x.table,
    } as LookupPeer;
    net.peers.set(x.contact.id, p);
    return p;
  });
  const keys = lookupKeys(TOPIC).map(dhtKey);
  const fanout = DEFAULT_DHT_TUNABLES.getFanout;
  const steady: { frames: number; direct: number; dials: number }[] = [];
  const miss: { frames: number; dials: number; lookup: number; fv: number }[] = [];
  const routedLinks: number[] = [];
  const pubConnections: number[] = [];

  for (let t = 0; t < trials; t++) {
    const pubIndex = random.int(n);
    const pub = peers[pubIndex]!;
    let dialsNow = 0;
    // The publisher's lookups dial every peer they query (`connectTo`).
    const inner = net.netFor(pub).net;
    const lookups = new LookupService({
      table: pub.table,
      net: {
        findNode: (to, target, opts) => {
          const j = mesh.index.get(to.id);
          if (j !== undefined && mesh.connect(pubIndex, j)) dialsNow++;
          return inner.findNode(to, target, opts);
        },
      },
      clock: sim.clock,
      random,
      rtt: new RttTracker({ capacity: 256 }),
      tunables: { alpha: 3 },
    });
    const subscribers: number[] = [];
    while (subscribers.length < s) {
      const j = random.int(n);
      if (j !== pubIndex && !subscribers.includes(j)) subscribers.push(j);
    }
    const deliver = () => {
      let frames = 0;
      let direct = 0;
      for (const j of subscribers) {
        if (mesh.links[pubIndex]!.has(j)) {
          frames += 1;
          direct++;
          mesh.use(pubIndex, j);
          continue;
        }
        const r = mesh.route(pubIndex, j);
        frames += 2 * r.links;
        dialsNow += r.dials;
        routedLinks.push(r.links);
        // DirectDialer: a node reached through routes is dialled while the links in use
        // by messages stay under the budget; the topology then evicts unused links first.
        if (mesh.inUse(pubIndex) < DIRECT_BUDGET && mesh.connect(pubIndex, j)) {
          dialsNow++;
          mesh.use(pubIndex, j);
          mesh.evict(pubIndex);
        }
      }
      return { frames, direct };
    };
    for (let i = 0; i < samples * 2; i++) {
      dialsNow = 0;
      if (i % 2 === 0) {
        // Cache miss: the DHT gets run in parallel, then the deliveries.
        const results = await sim.clock.settle(
          Promise.all(keys.map((k) => lookups.lookup(k, { k: REPLICAS }))),
        );
        const lookup = results.reduce((x, r) => x + r.messages, 0);
        const fv = results.reduce((x, r) => x + 2 * Math.min(fanout, r.closest.length), 0);
        mesh.evict(pubIndex);
        const d = deliver();
        miss.push({
          frames: lookup + fv + d.frames + HANDSHAKE_FRAMES * dialsNow,
          dials: dialsNow,
          lookup: lookup / keys.length,
          fv: fv / keys.length,
        });
      } else {
        const d = deliver();
        steady.push({
          frames: d.frames + HANDSHAKE_FRAMES * dialsNow,
          direct: d.direct / s,
          dials: dialsNow,
        });
      }
    }
    pubConnections.push(mesh.links[pubIndex]!.size);
  }
  return {
    nodes: n,
    subscriber_nodes: s,
    dht_keys: keys.length,
    steady_msgs_mean: mean(steady.map((x) => x.frames)),
    steady_msgs_max: Math.max(...steady.map((x) => x.frames)),
    steady_direct_share: mean(steady.map((x) => x.direct)),
    routed_links_mean: routedLinks.length > 0 ? mean(routedLinks) : 0,
    routed_links_max: routedLinks.length > 0 ? Math.max(...routedLinks) : 0,
    steady_dials_mean: mean(steady.map((x) => x.dials)),
    miss_msgs_mean: mean(miss.map((x) => x.frames)),
    lookup_msgs_per_key: mean(miss.map((x) => x.lookup)),
    find_value_msgs_per_key: mean(miss.map((x) => x.fv)),
    miss_dials_mean: mean(miss.map((x) => x.dials)),
    publisher_connections: mean(pubConnections),
    trials,
    samples: steady.length + miss.length,
    wall_s: (performance.now() - w0) / 1000,
  };
}
