import { DEFAULT_HOP_LIMIT, idKey, nextHop, RoutingTable, rankNextHops } from '../routing/index.js';
import { SeededRandom, VirtualClock } from '../runtime/index.js';
import { fillFromMembers, type RouteMember } from './route-fill.js';
import { mean, type RouteOutcome, type RouteReport, summarizeRoutes } from './routing-report.js';

/** Shape of a routed-message simulation. */
export interface RouteSimOptions {
  nodes: number;
  seed?: number;
  /** Entries per bucket. Default 20. */
  k?: number;
  /** Next hops a node tries per forward: the chosen one, then the next-best while they time out. Default 3. */
  triesPerHop?: number;
  /** Forwards a message may take. Default {@link DEFAULT_HOP_LIMIT}. */
  hopLimit?: number;
  /** Fill tables the fast way (same tables, see {@link fillFromMembers}). Default true. */
  fastFill?: boolean;
}

/** One simulated node: its membership-fed table and the connections it holds. */
export interface RouteNode extends RouteMember {
  readonly index: number;
  readonly table: RoutingTable;
  alive: boolean;
  /** Peers it holds a connection to, dialled by either end. */
  readonly connected: Set<number>;
  /** Members its table was fed: every entry and replacement is one of them. */
  readonly observed: number[];
}

/**
 * Routed messages the way the node routes them: every node's {@link RoutingTable} is fed
 * by membership (it observes every other member, as SWIM lists them), and a message goes
 * hop by hop — at each node to `nextHop` among its table entries, dialling it when not
 * connected, and on to the next-best (`rankNextHops`) when that one is dead.
 * Churn kills nodes without telling the tables (the window before membership notices);
 * {@link RouteSim.dropDead} then removes them as membership would.
 */
export class RouteSim {
  readonly clock = new VirtualClock();
  readonly random: SeededRandom;
  readonly nodes: RouteNode[] = [];
  private readonly byId = new Map<string, RouteNode>();
  private readonly tries: number;
  private readonly hopLimit: number;

  private constructor(o: RouteSimOptions) {
    this.random = new SeededRandom(o.seed ?? 1);
    this.tries = o.triesPerHop ?? 3;
    this.hopLimit = o.hopLimit ?? DEFAULT_HOP_LIMIT;
  }

  /** N nodes with random ids, each table fed every other member in join (index) order. */
  static build(o: RouteSimOptions): RouteSim {
    const sim = new RouteSim(o);
    const k = o.k ?? 20;
    const members: RouteMember[] = [];
    for (let i = 0; i < o.nodes; i++) {
      const id = Buffer.from(sim.random.bytes(32)).toString('hex');
      const address = { host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 4433 };
      members.push({ contact: { id, address }, key: idKey(id) });
    }
    const w0 = Uint32Array.from(members, (m) => m.key.w0);
    for (let i = 0; i < o.nodes; i++) {
      // No liveness ping: every member is alive while tables fill, so the oldest would stay anyway.
      const table = new RoutingTable({
        selfId: members[i]!.contact.id,
        clock: sim.clock,
        k,
        replacements: k,
      });
      const observed = fillFromMembers(table, i, members, {
        replacements: k,
        fast: o.fastFill !== false,
        w0,
      });
      const node: RouteNode = {
        ...members[i]!,
        index: i,
        table,
        alive: true,
        connected: new Set(),
        observed,
      };
      sim.nodes.push(node);
      sim.byId.set(node.contact.id, node);
    }
    return sim;
  }

  /** Kills a random `fraction` of the live nodes without notice (tables keep them); returns how many. */
  churn(fraction: number): number {
    const live = this.live();
    const n = Math.floor(live.length * fraction);
    for (let i = 0; i < n; i++) {
      const j = i + this.random.int(live.length - i);
      [live[i], live[j]] = [live[j]!, live[i]!];
      live[i]!.alive = false;
    }
    return n;
  }

  /** Membership declared the dead: every live node removes them from its table. Returns removals. */
  dropDead(): number {
    let removed = 0;
    for (const n of this.live())
      for (const j of n.observed)
        if (!this.nodes[j]!.alive && n.table.remove(this.nodes[j]!.contact.id)) removed++;
    return removed;
  }

  /** Routes one message from `src` to `dest`, hop by hop. */
  route(src: RouteNode, dest: RouteNode): RouteOutcome {
    const out: RouteOutcome = { delivered: false, hops: 0, timeouts: 0, dials: 0 };
    const visited = new Set([src.contact.id]);
    let cur = src;
    while (cur !== dest) {
      if (out.hops >= this.hopLimit) return { ...out, failure: 'hop-limit' };
      const next = this.forward(cur, dest.contact.id, visited, out);
      if (!next) return { ...out, failure: 'no-route' };
      visited.add(next.contact.id);
      cur = next;
      out.hops++;
    }
    out.delivered = true;
    return out;
  }

  /** Routes `routes` messages between random distinct live nodes. */
  measure(routes: number): RouteReport {
    const live = this.live();
    const rows: RouteOutcome[] = [];
    for (let i = 0; i < routes; i++) {
      const src = live[this.random.int(live.length)]!;
      let dest = src;
      while (dest === src) dest = live[this.random.int(live.length)]!;
      rows.push(this.route(src, dest));
    }
    return summarizeRoutes(live.length, rows);
  }

  /** Mean and largest table size over live nodes. */
  tableSizes(): { mean: number; max: number } {
    const s = this.live().map((n) => n.table.size);
    return { mean: mean(s), max: Math.max(...s) };
  }

  live(): RouteNode[] {
    return this.nodes.filter((n) => n.alive);
  }

  /** The live next hop `cur` reaches: nextHop first, then the next-best while they time out. */
  private forward(
    cur: RouteNode,
    dest: string,
    visited: Set<string>,
    out: RouteOutcome,
  ): RouteNode | undefined {
    const candidates = cur.table.entries().map((e) => e.id);
    const first = nextHop(cur.contact.id, dest, candidates, visited);
    if (first === undefined) return undefined;
    const order = [first];
    for (let i = 0; i < this.tries; i++) {
      const id = order[i];
      if (id === undefined) return undefined;
      const peer = this.byId.get(id)!;
      if (!cur.connected.has(peer.index)) out.dials++;
      if (peer.alive) {
        cur.connected.add(peer.index);
        peer.connected.add(cur.index);
        return peer;
      }
      out.timeouts++;
      // Only on a failure is the full ranking worth its sort.
      if (i === 0)
        order.push(...rankNextHops(cur.contact.id, dest, candidates, visited, this.tries).slice(1));
    }
    return undefined;
  }
}
