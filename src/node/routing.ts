import { MaculaError } from '../core/index.js';
import { FrameType } from '../protocol/index.js';
import {
  type Contact,
  isNodeIdHex,
  LookupService,
  type LookupTunables,
  RoutingTable,
  RttTracker,
} from '../routing/index.js';
import type { AbortOptions, Clock, Random, TimerHandle } from '../runtime/index.js';
import type { Address, Connection } from '../transport/index.js';
import type { StreamRouter } from './streams.js';
import type { NodeLogger, PeerSummary } from './types.js';

/** What routing needs from its node. */
export interface RoutingHost {
  readonly selfId: string;
  readonly streams: StreamRouter;
  connection(id: string): Connection | undefined;
  connectedIds(): Iterable<string>;
  connect(address: Address, opts: AbortOptions): Promise<PeerSummary>;
  /** Membership's view of a member: its advertised address and whether it is alive. */
  member(id: string): { address: Address; alive: boolean } | undefined;
  /** `member(id)?.alive` without building the view (hot path: every publish, per target). */
  isAlive(id: string): boolean | undefined;
}

/** Routing options of a node (`NodeOptions.routing`). */
export interface RoutingOptions {
  /** Bucket size (Kademlia's k). Default 20. */
  k?: number;
  /** Lookup tunables (alpha, query bound, deadline, bucket refresh interval). */
  lookup?: Partial<LookupTunables>;
  /** Dial a routing-table contact when no connected neighbour is closer to a destination. Default true. */
  dialOnDemand?: boolean;
  /** Default hop limit of routed messages. Default 32. */
  hopLimit?: number;
}

/** FIND_NODE answers carry at most this many contacts (k, and a hard cap for hostile k). */
const MAX_CONTACTS = 64;

/**
 * The node's Kademlia state: a routing table fed by membership (every alive member) and
 * by traffic (peers that query us), lookups over FIND_NODE stream requests, and the
 * periodic refresh of buckets no lookup touched.
 */
export class RoutingService {
  readonly table: RoutingTable;
  readonly lookups: LookupService;
  private refreshTimer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly host: RoutingHost,
    private readonly o: { clock: Clock; random: Random; logger: NodeLogger; options: RoutingOptions },
    /** A contact new to the table (the DHT hands it the records it is now close to). */
    private readonly onAdded: (c: Contact) => void = () => {},
  ) {
    const rtt = new RttTracker({ capacity: 1024 });
    this.table = new RoutingTable({
      selfId: host.selfId,
      clock: o.clock,
      k: o.options.k ?? 20,
      ping: (peer, opts) => this.ping(peer, opts),
    });
    this.lookups = new LookupService({
      table: this.table,
      net: { findNode: (to, target, opts) => this.findNode(to, target, opts) },
      clock: o.clock,
      random: o.random,
      rtt,
      logger: o.logger,
      ...(o.options.lookup ? { tunables: o.options.lookup } : {}),
    });
    host.streams.handle(FrameType.FIND_NODE, (payload, peerId) => this.serveFindNode(payload, peerId));
  }

  start(): void {
    this.scheduleRefresh();
  }

  stop(): void {
    this.stopped = true;
    if (this.refreshTimer) this.o.clock.clearTimeout(this.refreshTimer);
    this.table.close();
  }

  /** A peer we heard from: kept in the table under its advertised address when membership knows it. */
  observe(id: string, fallback?: Address): void {
    const address = this.host.member(id)?.address ?? fallback;
    if (!address) return;
    const contact = { id, address };
    if (this.table.observe(contact) === 'added') this.onAdded(contact);
  }

  /** Membership declared `id` dead or gone. */
  forget(id: string): void {
    this.table.remove(id);
  }

  /** The live connection to contact `c`, dialing it (and checking who answered) when needed. */
  async connectTo(c: Contact, opts: AbortOptions): Promise<Connection> {
    const existing = this.host.connection(c.id);
    if (existing) return existing;
    const peer = await this.host.connect(c.address, opts);
    if (peer.nodeId !== c.id) {
      this.table.remove(c.id); // someone else lives at that address now
      throw new MaculaError('WRONG_PEER', `${c.address.host}:${c.address.port} is not ${c.id.slice(0, 8)}`);
    }
    const conn = this.host.connection(c.id);
    if (!conn) throw new MaculaError('NOT_CONNECTED', `connection to ${c.id.slice(0, 8)} closed at once`);
    return conn;
  }

  private async findNode(to: Contact, target: string, opts: AbortOptions): Promise<Contact[]> {
    const conn = await this.connectTo(to, opts);
    const reply = await this.host.streams.request(conn, FrameType.FIND_NODE, { t: target }, opts);
    // The lookup validates the contacts; only the envelope is checked here.
    const c = (reply as { c?: unknown } | null)?.c;
    return Array.isArray(c) ? (c as Contact[]) : [];
  }

  private serveFindNode(payload: unknown, peerId: string): unknown {
    const t = (payload as { t?: unknown } | null)?.t;
    if (typeof t !== 'string' || !isNodeIdHex(t)) {
      throw new MaculaError('INVALID_ID', 'FIND_NODE needs a 64-hex target');
    }
    const conn = this.host.connection(peerId);
    this.observe(peerId, conn?.remoteAddress);
    const closest = this.table
      .closest(t, Math.min(this.table.k, MAX_CONTACTS))
      .filter((c) => c.id !== peerId);
    return { c: closest.map((c) => ({ id: c.id, address: { host: c.address.host, port: c.address.port } })) };
  }

  /** LRS liveness check: membership's verdict when it has one, else a FIND_NODE round trip. */
  private async ping(peer: Contact, opts: AbortOptions): Promise<boolean> {
    const m = this.host.member(peer.id);
    if (m) return m.alive;
    await this.findNode(peer, this.host.selfId, opts);
    return true;
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    const every = Math.max(1000, Math.floor(this.lookups.tunables.refreshIntervalMs / 4));
    this.refreshTimer = this.o.clock.setTimeout(() => {
      this.lookups
        .refresh()
        .catch((err: unknown) => this.o.logger.debug({ err }, 'bucket refresh failed'))
        .finally(() => this.scheduleRefresh());
    }, every);
  }
}
