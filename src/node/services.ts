import { MaculaError } from '../core/index.js';
import { Dht, type DhtLimits, type DhtTunables } from '../dht/index.js';
import {
  checkMailboxName,
  type Mailbox,
  type MailboxOptions,
  MailboxRegistry,
  type MailHandler,
} from '../mailbox/index.js';
import type { Ed25519KeyInput, Member } from '../membership/index.js';
import {
  DEFAULT_HOP_LIMIT,
  type LookupEvent,
  type LookupOptions,
  type LookupResult,
} from '../routing/index.js';
import { type Clock, type Random, withDeadline } from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import { PeerChannels } from './channels.js';
import type { FrameCounters } from './control.js';
import { dhtNet, type NodeDht, nodeDht, serveDht } from './dht.js';
import { DirectDialer } from './direct-dialer.js';
import { Monitors, type NodeDown } from './monitors.js';
import { NodePubSub, type NodePubSubOptions } from './pubsub.js';
import { ChannelRequests } from './requests.js';
import { type RouteOptions, type RouteReceipt, Router } from './router.js';
import { type RoutesSummary, routesSummary } from './routes-summary.js';
import { type RoutingHost, type RoutingOptions, RoutingService } from './routing.js';
import { NodeRpc } from './rpc.js';
import type { NodeLogger } from './types.js';

/** DHT options of a node (`NodeOptions.dht`). */
export interface NodeDhtOptions {
  limits?: Partial<DhtLimits>;
  tunables?: Partial<DhtTunables>;
  /** Nodes each record is stored on. Default 20. */
  replicas?: number;
}

/** Default deadline of a `send` (ms). */
const SEND_TIMEOUT_MS = 10_000;
/** Default deadline of a request to a peer, and of answering one (as stream requests had). */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The layers above membership, per node: Kademlia routing, routed messages, named
 * mailboxes and node monitors. Fed by the node's peer and member events.
 */
export class NodeServices {
  readonly routing: RoutingService;
  readonly router: Router;
  readonly mailboxes = new MailboxRegistry();
  readonly monitors: Monitors;
  readonly dht: Dht;
  readonly dhtView: NodeDht;
  readonly rpc: NodeRpc;
  readonly channels: PeerChannels;
  readonly pubsub: NodePubSub;
  readonly dialer: DirectDialer;
  /** Requests (lookups, DHT reads and stores, routed hops) ride the peer channels. */
  readonly requests: ChannelRequests;

  constructor(
    host: RoutingHost,
    private readonly o: {
      clock: Clock;
      random: Random;
      logger: NodeLogger;
      options: RoutingOptions;
      realm: string;
      identityKey: Ed25519KeyInput;
      dht?: NodeDhtOptions;
      pubsub?: NodePubSubOptions;
      frames?: FrameCounters;
      /** The topology's connection bound (direct dials for messaging stay within it). */
      maxConnections?: number;
    },
  ) {
    this.channels = new PeerChannels({
      clock: o.clock,
      log: o.logger,
      ...(o.frames ? { frames: o.frames } : {}),
    });
    this.channels.serveOn(host.streams);
    this.requests = new ChannelRequests(this.channels, {
      clock: o.clock,
      connection: (id) => host.connection(id),
      handlerOf: (type) => host.streams.handlerOf(type),
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    host.streams.useLane(this.requests);
    this.routing = new RoutingService(host, o, (c) => this.dht.peerJoined(c));
    this.dht = new Dht({
      selfId: host.selfId,
      realm: o.realm,
      identityKey: o.identityKey,
      table: this.routing.table,
      lookup: this.routing.lookups,
      net: dhtNet(host, this.routing, this.channels),
      clock: o.clock,
      random: o.random,
      logger: o.logger,
      ...o.dht,
    });
    serveDht(host, this.dht, this.channels);
    this.dhtView = nodeDht(this.dht);
    this.router = new Router(host, this.routing, {
      random: o.random,
      hopLimit: o.options.hopLimit ?? DEFAULT_HOP_LIMIT,
      dialOnDemand: o.options.dialOnDemand ?? true,
    });
    this.dialer = new DirectDialer(host, this.routing, {
      clock: o.clock,
      logger: o.logger,
      maxConnections: o.maxConnections ?? 64,
      idleMs: (id) => this.channels.idleMs(id),
    });
    const routed = (id: string) => this.dialer.want(id);
    this.rpc = new NodeRpc(host, this.router, this.dhtView, this.channels, {
      clock: o.clock,
      random: o.random,
      logger: o.logger,
      routed,
    });
    this.pubsub = new NodePubSub(host, this.router, this.channels, this.dhtView, {
      clock: o.clock,
      random: o.random,
      logger: o.logger,
      routed,
      ...(o.pubsub ? { options: o.pubsub } : {}),
    });
    this.monitors = new Monitors((id) => {
      const m = host.member(id);
      return m ? m.alive : host.connection(id) ? true : undefined;
    });
    this.router.handle('mail', async ({ envelope, body }) => {
      const { n, p } = (body ?? {}) as { n?: unknown; p?: unknown };
      await this.mailboxes.deliver({
        from: envelope.src,
        mailbox: checkMailboxName(n),
        payload: p,
        hops: envelope.hops,
        ...(envelope.path ? { path: [envelope.src, ...envelope.path] } : {}),
      });
    });
  }

  start(): void {
    this.routing.start();
    this.dht.start();
  }

  /** Stops every service; resolves once the channels flushed what they had queued. */
  stop(): Promise<void> {
    this.dialer.stop();
    this.pubsub.stop();
    this.rpc.stop();
    this.dht.stop();
    this.routing.stop();
    this.mailboxes.closeAll();
    this.monitors.close(new MaculaError('NOT_RUNNING', 'Node stopped'));
    this.requests.close();
    return this.channels.close();
  }

  /** Membership news (the node forwards its member events here). */
  memberEvent(event: string, m: Member): void {
    if (event === 'member:dead' || event === 'member:leave') {
      this.routing.forget(m.id);
      this.rpc.nodeGone(m.id);
      this.pubsub.nodeGone(m.id, event === 'member:leave');
      this.monitors.down(m.id, event === 'member:dead' ? 'dead' : 'left');
    } else if (m.state === 'alive') {
      this.routing.observe(m.id, m.address);
    }
  }

  /** A connection became a peer: traffic feeds the table (membership's address wins). */
  peerConnected(id: string, remote: Address): void {
    this.routing.observe(id, remote);
    this.pubsub.peerConnected();
  }

  /** A peer's connection went away: so do its channels. */
  peerDisconnected(id: string): void {
    this.channels.peerDisconnected(id);
    this.rpc.peerGone(id);
  }

  mailbox<T>(name: string, handler?: MailHandler<T>, opts?: MailboxOptions): Mailbox<T> {
    return this.mailboxes.open(name, handler, opts);
  }

  send(nodeId: string, mailbox: string, payload: unknown, opts: RouteOptions = {}): Promise<RouteReceipt> {
    checkMailboxName(mailbox);
    const { signal, timeoutMs, ...rest } = opts;
    return withDeadline(this.o.clock, { signal, timeoutMs: timeoutMs ?? SEND_TIMEOUT_MS }, 'send', (s) =>
      this.router.send(nodeId, 'mail', { n: mailbox, p: payload }, { ...rest, signal: s }),
    );
  }

  monitor(nodeId: string, opts?: { signal?: AbortSignal }): Promise<NodeDown> {
    return this.monitors.watch(nodeId, opts);
  }

  lookup(target: string, opts?: LookupOptions): Promise<LookupResult> {
    return this.routing.lookups.lookup(target, opts);
  }

  lookupEvents(target: string, opts?: LookupOptions): AsyncIterable<LookupEvent> {
    return this.routing.lookups.lookupEvents(target, opts);
  }

  routes(): RoutesSummary {
    return routesSummary(this.routing, this.router);
  }
}
