// A DHT simulation harness: N nodes with real Ed25519 identities, each with a routing
// table, lookups and a Dht, on a request network over a virtual clock (per-node latency,
// dead nodes never answer). Every payload goes through MessagePack both ways, as on the
// wire, and is counted by kind.
import { Packr } from 'msgpackr/pack';
import { Unpackr } from 'msgpackr/unpack';
import {
  Dht,
  type DhtLimits,
  type DhtNet,
  type DhtTunables,
  dhtKey,
  type FindValueReply,
  findValueRequest,
  type StoreReply,
  storeRequest,
} from '../../src/dht/index.js';
import {
  type Contact,
  compareDistance,
  idKey,
  LookupService,
  type ObserveResult,
  RoutingTable,
  type RoutingTableOptions,
  RttTracker,
} from '../../src/routing/index.js';
import { type AbortOptions, SeededRandom, toAbortError, VirtualClock } from '../../src/runtime/index.js';
import { type Identity, identity, REALM, T0 } from './fixtures.js';

const packr = new Packr({ useRecords: false, structuredClone: false });
const unpackr = new Unpackr({ useRecords: false, structuredClone: false, mapsAsObjects: true });

/** A routing table that reports new entries (what the node does for `Dht.peerJoined`). */
class HookedTable extends RoutingTable {
  onAdded: ((c: Contact) => void) | undefined;
  constructor(o: RoutingTableOptions) {
    super(o);
  }
  override observe(contact: Contact, info?: { rttMs?: number }): ObserveResult {
    const r = super.observe(contact, info);
    if (r === 'added') this.onAdded?.(contact);
    return r;
  }
}

export interface SimNode {
  readonly me: Identity;
  readonly contact: Contact;
  readonly latencyMs: number;
  alive: boolean;
  table: HookedTable;
  lookups: LookupService;
  dht: Dht;
  /** Replaces this node's FIND_VALUE answers (a lying node). */
  lie?: (key: string) => unknown;
}

export interface DhtSimOptions {
  nodes: number;
  seed?: number;
  replicas?: number;
  limits?: Partial<DhtLimits>;
  tunables?: Partial<DhtTunables>;
}

type Kind = 'findNode' | 'store' | 'findValue';

export class DhtSim {
  readonly clock = new VirtualClock();
  readonly random: SeededRandom;
  readonly nodes: SimNode[] = [];
  readonly byId = new Map<string, SimNode>();
  /** Requests + replies sent, and their MessagePack bytes, by kind. */
  readonly messages: Record<Kind, number> = { findNode: 0, store: 0, findValue: 0 };
  readonly bytes: Record<Kind, number> = { findNode: 0, store: 0, findValue: 0 };

  private constructor(private readonly o: DhtSimOptions) {
    this.random = new SeededRandom(o.seed ?? 1);
  }

  /** Builds the network the Kademlia way: each node joins through a random earlier one. */
  static async build(o: DhtSimOptions): Promise<DhtSim> {
    const sim = new DhtSim(o);
    for (let i = 0; i < o.nodes; i++) sim.add(sim.identity());
    for (let i = 1; i < o.nodes; i += 32) {
      const wave = sim.nodes.slice(i, i + 32).map((n) => sim.join(n, sim.nodes[sim.random.int(i)]!));
      await sim.drive(Promise.all(wave));
    }
    for (const n of sim.nodes) n.dht.start();
    await sim.clock.advance(61_000); // past the hand-off grace period of a starting node
    return sim;
  }

  /** A reproducible identity drawn from the sim's seed. */
  identity(): Identity {
    return identity(this.random.bytes(32));
  }

  /** Adds a node (not yet joined, not started). */
  add(me: Identity): SimNode {
    const i = this.nodes.length;
    const contact = { id: me.id, address: { host: `10.0.${i >> 8}.${i & 255}`, port: 4433 } };
    const n = { me, contact, latencyMs: 5 + this.random.int(45), alive: true } as SimNode;
    n.table = new HookedTable({ selfId: me.id, clock: this.clock, pingTimeoutMs: 1000 });
    n.lookups = new LookupService({
      table: n.table,
      net: { findNode: (to, target, opts) => this.request(n, to, 'findNode', { target }, opts) },
      clock: this.clock,
      random: this.random,
      rtt: new RttTracker({ capacity: 64 }),
    });
    const net: DhtNet = {
      store: (to, records, opts) =>
        this.request(n, to, 'store', storeRequest(records), opts) as Promise<StoreReply>,
      findValue: (to, key, opts) =>
        this.request(n, to, 'findValue', findValueRequest(key), opts) as Promise<FindValueReply>,
    };
    n.dht = new Dht({
      selfId: me.id,
      realm: REALM,
      identityKey: me.privateKey,
      table: n.table,
      lookup: n.lookups,
      net,
      clock: this.clock,
      wallClock: () => T0 + this.clock.now(),
      random: this.random,
      ...(this.o.replicas ? { replicas: this.o.replicas } : {}),
      ...(this.o.limits ? { limits: this.o.limits } : {}),
      ...(this.o.tunables ? { tunables: this.o.tunables } : {}),
    });
    n.table.onAdded = (c) => n.dht.peerJoined(c);
    this.nodes.push(n);
    this.byId.set(me.id, n);
    return n;
  }

  /** `n` joins through `seed` by looking up its own id. */
  async join(n: SimNode, seed: SimNode): Promise<void> {
    await n.lookups.join([seed.contact]).catch(() => undefined);
  }

  /**
   * Kills `victims` without notice. After `detectMs` every live node forgets them, as a
   * Macula node's routing table does when membership (SWIM) declares a member dead.
   */
  kill(victims: Iterable<SimNode>, detectMs = 15_000): void {
    const dead = [...victims];
    for (const n of dead) {
      n.alive = false;
      n.dht.stop();
    }
    this.clock.setTimeout(() => {
      for (const n of this.live()) for (const d of dead) n.table.remove(d.me.id);
    }, detectMs);
  }

  live(): SimNode[] {
    return this.nodes.filter((n) => n.alive);
  }

  /** A random live node, other than those in `except`. */
  pick(except: ReadonlySet<string> = new Set()): SimNode {
    const live = this.live().filter((n) => !except.has(n.me.id));
    return live[this.random.int(live.length)]!;
  }

  /** The `n` live nodes truly closest to `appKey`'s DHT key (brute force). */
  closestLive(appKey: string, n: number): SimNode[] {
    const t = idKey(dhtKey(appKey));
    return this.live()
      .map((x) => ({ x, k: idKey(x.me.id) }))
      .sort((a, b) => compareDistance(a.k, b.k, t))
      .slice(0, n)
      .map((e) => e.x);
  }

  /** Total messages so far (all kinds). */
  total(): number {
    return this.messages.findNode + this.messages.store + this.messages.findValue;
  }

  /** Advances virtual time until `p` settles. */
  async drive<T>(p: Promise<T>): Promise<T> {
    return this.clock.settle(p);
  }

  private count(kind: Kind, payload: unknown): unknown {
    const bytes = packr.pack(payload);
    this.messages[kind]++;
    this.bytes[kind] += bytes.length;
    return unpackr.unpack(bytes);
  }

  private serve(to: SimNode, from: SimNode, kind: Kind, payload: unknown): unknown {
    to.table.observe(from.contact); // receivers learn requesters, as Kademlia nodes do
    if (kind === 'findNode') {
      return to.table.closest((payload as { target: string }).target).filter((c) => c.id !== from.me.id);
    }
    if (kind === 'store') return to.dht.handleStore(from.me.id, payload);
    if (to.lie) return to.lie((payload as { key: string }).key);
    return to.dht.handleFindValue(from.me.id, payload);
  }

  private request<T>(
    from: SimNode,
    to: Contact,
    kind: Kind,
    payload: unknown,
    opts: AbortOptions,
  ): Promise<T> {
    const { signal } = opts;
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(toAbortError(signal.reason));
      const timers: object[] = [];
      const onAbort = () => {
        for (const t of timers) this.clock.clearTimeout(t);
        reject(toAbortError(signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const peer = this.byId.get(to.id);
      const sent = this.count(kind, payload);
      if (!peer) return;
      const oneWay = from.latencyMs + peer.latencyMs;
      timers.push(
        this.clock.setTimeout(() => {
          if (!peer.alive) return; // silence: the caller's deadline decides
          let reply: unknown;
          let failed = false;
          try {
            reply = this.count(kind, this.serve(peer, from, kind, sent));
          } catch (err) {
            failed = true;
            reply = err;
          }
          timers.push(
            this.clock.setTimeout(() => {
              signal?.removeEventListener('abort', onAbort);
              if (failed) reject(reply);
              else resolve(reply as T);
            }, oneWay),
          );
        }, oneWay),
      );
    });
  }
}
