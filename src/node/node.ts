import { MaculaError } from '../core/index.js';
import type { Mailbox, MailboxOptions, MailHandler } from '../mailbox/index.js';
import type { Member } from '../membership/index.js';
import type {
  PublishOptions,
  PublishReceipt,
  PubSubEvent,
  PubSubStats,
  SubscribeOptions,
  SubscriptionHandler,
} from '../pubsub/index.js';
import type { LookupEvent, LookupOptions, LookupResult } from '../routing/index.js';
import type { CallOptions, ProcedureHandler, RpcStats } from '../rpc/index.js';
import { type AbortOptions, type Clock, Emitter, systemClock, systemRandom } from '../runtime/index.js';
import { identityTlsOptions } from '../security/index.js';
import { renderTopology, type TopologySnapshot } from '../topology/index.js';
import { type Address, createQuicTransport, type Endpoint, type TlsOptions } from '../transport/index.js';
import { advertiseAddress } from './advertise.js';
import { CLOSE } from './close-codes.js';
import type { NodeDht } from './dht.js';
import { providersFromStatic } from './discovery.js';
import { Mesh } from './mesh.js';
import type { NodeDown } from './monitors.js';
import { PeerSet } from './peers.js';
import type { Subscription } from './pubsub-local.js';
import type { RouteOptions, RouteReceipt } from './router.js';
import type { RoutesSummary } from './routes-summary.js';
import { NodeServices } from './services.js';
import { StreamRouter } from './streams.js';
import type { NodeEvents, NodeLogger, NodeOptions, NodeStats, PeerSummary } from './types.js';

/** Package version, reported by `node.version` and the CLI. */
export const VERSION = '0.1.0';

/** Default deadline of a dial plus handshake. */

export { CLOSE } from './close-codes.js';

const silent: NodeLogger = { info() {}, warn() {}, debug() {} };

/**
 * A Macula node: an endpoint plus verified peers. Every connection runs the Macula
 * handshake on its first stream before it counts as a peer; at most one connection is
 * kept per peer (when both dial at once, the one dialed by the smaller node id wins, a
 * rule both sides apply the same way).
 */
export class MaculaNode {
  readonly version = VERSION;
  readonly nodeId: string;
  readonly realm: string;
  private endpoint: Endpoint | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly peers: PeerSet;
  private readonly events: Emitter<NodeEvents>;
  private mesh: Mesh | undefined;
  private streams: StreamRouter | undefined;
  private services: NodeServices | undefined;
  private readonly clock: Clock;
  private readonly log: NodeLogger;
  private startedAt = 0;
  /** Wall-clock start, announced in every hello (the same value on every connection). */
  private createdAt = 0;
  /** Macula frames exchanged (all peers, since start). */
  private readonly frames = { sent: 0, received: 0 };

  constructor(private readonly opts: NodeOptions) {
    this.nodeId = opts.identity.nodeId.hex;
    this.realm = opts.identity.realm;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silent;
    this.events = new Emitter((err, event) => this.log.warn({ err, event }, 'node event listener threw'));
    this.peers = new PeerSet({
      nodeId: this.nodeId,
      realm: this.realm,
      clock: this.clock,
      log: this.log,
      frames: this.frames,
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 10_000,
      hello: () => ({
        key: opts.identity.key,
        ...(opts.name ? { name: opts.name } : {}),
        capabilities: opts.capabilities ?? [],
        createdAt: this.createdAt,
      }),
      running: () => !this.stopping,
      adopted: (conn, summary) => {
        this.streams?.attach(conn, summary.nodeId);
        this.services?.peerConnected(summary.nodeId, summary.address);
      },
      emit: (event, e) => this.emit(event, e),
      on: (event, listener) => this.on(event, listener),
    });
  }

  /** The bound address (after start). */
  get address(): Address {
    if (!this.endpoint) throw new MaculaError('NOT_RUNNING', 'Node is not started');
    return this.endpoint.address;
  }

  /** Binds the endpoint and starts accepting peers. Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const transport = this.opts.transport ?? createQuicTransport();
    this.endpoint = await transport.createEndpoint({
      host: this.opts.listen?.host,
      port: this.opts.listen?.port,
      idleTimeoutMs: this.opts.idleTimeoutMs,
      clock: this.opts.clock,
      tls: this.tlsOptions(),
      onHandshakeError: ({ remoteAddress, error }) => this.peers.refused(remoteAddress, error),
    });
    this.startedAt = this.clock.now();
    this.createdAt = Date.now();
    this.streams = new StreamRouter(this.clock, this.frames, this.log);
    this.services = this.startServices(this.streams);
    if (this.opts.membership !== false) this.startMesh(this.endpoint, this.streams);
    this.endpoint.onConnection((conn) => {
      this.peers
        .adopt(conn, 'inbound')
        .catch((e: unknown) => this.log.debug({ err: e }, 'inbound handshake failed'));
    });
    this.log.info({ nodeId: this.nodeId, realm: this.realm, address: this.endpoint.address }, 'node started');
  }

  private startMesh(endpoint: Endpoint, streams: StreamRouter): void {
    const topo = this.opts.topology ?? {};
    const mesh = new Mesh(
      {
        endpoint,
        streams,
        connect: (address, opts) => this.connect(address, opts),
        connections: () => this.connections(),
        connection: (id) => this.peers.connection(id),
        disconnect: (id, reason) => this.disconnect(id, reason),
        idleMs: (id) => this.services?.channels.idleMs(id),
        emit: (event, e) => this.emit(event, e),
      },
      {
        identity: this.opts.identity,
        ...(this.opts.name ? { name: this.opts.name } : {}),
        advertise: this.opts.advertise ?? advertiseAddress(endpoint.address),
        clock: this.clock,
        random: this.opts.random ?? systemRandom,
        logger: this.log,
        ...(this.opts.membership ? { membership: this.opts.membership } : {}),
        topology: {
          k: topo.k ?? 4,
          maxConnections: topo.maxConnections ?? 64,
          ...(topo.longRange !== undefined ? { longRange: topo.longRange } : {}),
        },
        discovery: [
          ...providersFromStatic(this.opts.bootstrap ?? [], this.log),
          ...(this.opts.discovery ?? []),
        ],
      },
    );
    this.on('peer:connected', (p) => mesh.peerConnected(p.nodeId));
    this.on('peer:disconnected', (p) => mesh.peerDisconnected(p.nodeId));
    this.mesh = mesh;
    mesh.start();
  }

  private startServices(streams: StreamRouter): NodeServices {
    const services = new NodeServices(
      {
        selfId: this.nodeId,
        streams,
        connection: (id) => this.peers.connection(id),
        connectedIds: () => this.peers.ids(),
        connect: (address, opts) => this.connect(address, opts),
        member: (id) => {
          const m = this.mesh?.swim.member(id);
          return m && { address: m.address, alive: m.state === 'alive' || m.state === 'suspect' };
        },
        isAlive: (id) => {
          const state = this.mesh?.swim.stateOf(id);
          return state === undefined ? undefined : state === 'alive' || state === 'suspect';
        },
      },
      {
        clock: this.clock,
        random: this.opts.random ?? systemRandom,
        logger: this.log,
        options: this.opts.routing ?? {},
        realm: this.realm,
        identityKey: this.opts.identity.key,
        ...(this.opts.dht ? { dht: this.opts.dht } : {}),
        ...(this.opts.pubsub ? { pubsub: this.opts.pubsub } : {}),
        frames: this.frames,
        maxConnections: this.opts.topology?.maxConnections ?? 64,
      },
    );
    this.on('peer:disconnected', (p) => services.peerDisconnected(p.nodeId));
    services.start();
    return services;
  }

  private running(): NodeServices {
    if (!this.services || this.stopping) throw new MaculaError('NOT_RUNNING', 'Node is not running');
    return this.services;
  }

  /**
   * Opens the named mailbox `name` on this node: messages sent to it with
   * {@link send} go to `handler`, or, without one, wait to be read with `for await`.
   */
  mailbox<T = unknown>(name: string, handler?: MailHandler<T>, opts?: MailboxOptions): Mailbox<T> {
    return this.running().mailbox(name, handler, opts);
  }

  /**
   * Sends `message` (any MessagePack value) to mailbox `mailbox` on node `nodeId`: over
   * the direct connection when there is one, else hop by hop through the mesh. Resolves
   * once the destination accepted it; rejects with the destination's typed error
   * (`NO_MAILBOX`, `MAILBOX_FULL`, `HANDLER_FAILED`) or a routing one (`NO_ROUTE`, `HOP_LIMIT`…).
   */
  send(nodeId: string, mailbox: string, message: unknown, opts?: RouteOptions): Promise<RouteReceipt> {
    try {
      return this.running().send(nodeId, mailbox, message, opts);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Resolves when node `nodeId` is declared dead or leaves (at once if it is not an alive member). */
  monitor(nodeId: string, opts?: { signal?: AbortSignal }): Promise<NodeDown> {
    try {
      return this.running().monitor(nodeId, opts);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Kademlia lookup: the (up to) k nodes closest to `target` (a 64-hex id) that answer. */
  lookup(target: string, opts?: LookupOptions): Promise<LookupResult> {
    try {
      return this.running().lookup(target, opts);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The same lookup as progress events (`query`, `response`, `timeout`, `done`) for tools. */
  lookupEvents(target: string, opts?: LookupOptions): AsyncIterable<LookupEvent> {
    return this.running().lookupEvents(target, opts);
  }

  /**
   * The realm's DHT: `put` publishes this node's signed record under a key (kept alive
   * by republishing until `remove` or stop), `get` returns every owner's live record.
   * The registry pub/sub and RPC use for subscribers and providers.
   */
  get dht(): NodeDht {
    return this.running().dhtView;
  }

  /**
   * Provides procedure `name` (topic syntax, e.g. `chat.who`) on this node: calls from any
   * node of the realm run `handler(args, ctx)`; its result (any MessagePack value) goes back,
   * a throw reaches the caller as `RpcError('REMOTE_ERROR')` with the handler's code and message.
   * Resolves once announced in the DHT (retried in the background while the DHT is unreachable).
   */
  register<A = unknown, R = unknown>(name: string, handler: ProcedureHandler<A, R>): Promise<void> {
    try {
      return this.running().rpc.register(name, handler as ProcedureHandler);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Stops providing `name`. */
  unregister(name: string, opts?: AbortOptions): Promise<void> {
    try {
      return this.running().rpc.unregister(name, opts);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Calls procedure `name` on one of its providers (`balance`: round-robin, random or
   * lowest-rtt; unreachable providers fail over to the next) and resolves with the result.
   * Rejects with `RpcError` (`NO_PROVIDER`, `REMOTE_ERROR`, `UNREACHABLE`…) or `TimeoutError`.
   */
  call<R = unknown>(name: string, args?: unknown, opts?: CallOptions): Promise<R> {
    try {
      return this.running().rpc.call<R>(name, args ?? null, opts);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Like {@link call} without waiting for the result: resolves once a provider took it. */
  cast(name: string, args?: unknown, opts?: CallOptions): Promise<void> {
    try {
      return this.running().rpc.cast(name, args ?? null, opts);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** RPC counters. */
  rpcStats(): RpcStats {
    return this.running().rpc.stats();
  }

  /**
   * Subscribes to `pattern` (`hello.world`, `sensor.*`, `sensor.**`; `match: 'prefix'` for
   * the seed's prefix subscriptions). Iterate the result with `for await`, or pass a
   * `handler`. Publishers find the subscription once `sub.ready` resolves.
   * @throws PatternError for an invalid pattern.
   */
  subscribe<T = unknown>(
    pattern: string,
    handler?: SubscriptionHandler<PubSubEvent<T>>,
    opts?: SubscribeOptions,
  ): Subscription<T> {
    return this.running().pubsub.subscribe<T>(pattern, handler, opts);
  }

  /**
   * Publishes `payload` (any MessagePack value) on `topic` to the subscribed nodes.
   * `qos: 'at-least-once'` retries until each subscriber acknowledged; `ack: true` also
   * waits for those acknowledgements; `retain: true` keeps it for late subscribers.
   * Rejects with InvalidTopicError, PubSubError (`PAYLOAD_TOO_LARGE`, `OUTBOX_FULL`,
   * `NOT_ACKED`), AbortError or TimeoutError.
   */
  publish(topic: string, payload: unknown, opts?: PublishOptions): Promise<PublishReceipt> {
    try {
      return this.running().pubsub.publish(topic, payload, opts);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Pub/sub counters. */
  pubsubStats(): PubSubStats {
    return this.running().pubsub.stats();
  }

  /** The routing table by bucket, with lookup and routed-message counters (`macula routes`). */
  routes(): RoutesSummary {
    return this.running().routes();
  }

  /** Every member of the realm this node knows (itself included), with its state. */
  members(): Member[] {
    return this.mesh?.swim.members() ?? [];
  }

  /** The k-regular topology as this node maintains it (undefined without membership). */
  topology(): TopologySnapshot | undefined {
    return this.mesh?.topology.snapshot();
  }

  /** An ASCII picture of this node's links (`macula topology`). */
  renderTopology(): string {
    const snap = this.topology();
    if (!snap) return 'No topology: membership is off';
    const names = new Map<string, string>();
    for (const m of this.members()) if (m.name) names.set(m.id, m.name);
    return renderTopology(snap, names);
  }

  /** Membership counters (probes, refutations, rejected inputs by reason…). */
  membershipStats() {
    return this.mesh?.swim.getStats();
  }

  /** Closes the connection to peer `id`, if any. */
  async disconnect(id: string, reason = 'closed by the node'): Promise<void> {
    await this.peers.connection(id)?.close({ code: CLOSE.normal, reason });
  }

  /** TLS with our identity: realm and node-id checks run in the transport's verifyPeer hook. */
  private tlsOptions(): TlsOptions {
    return identityTlsOptions(this.opts.identity, { realm: this.realm, caPem: this.opts.identity.ca });
  }

  /** Closes every connection and the endpoint, releasing every socket and timer. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.starting?.catch(() => {});
      await this.services?.stop().catch((err: unknown) => this.log.warn({ err }, 'services stop failed'));
      await this.mesh?.stop().catch((err: unknown) => this.log.warn({ err }, 'mesh stop failed'));
      await this.endpoint?.close({ code: CLOSE.stopping, reason: 'node stopping' });
      this.peers.clear();
    })();
    return this.stopping;
  }

  /** Dials `address`, runs the handshake and returns the peer. */
  async connect(address: Address, opts?: AbortOptions): Promise<PeerSummary> {
    if (!this.endpoint || this.stopping) throw new MaculaError('NOT_RUNNING', 'Node is not running');
    return this.peers.connect(this.endpoint, address, opts);
  }

  /** Verified peers, one per node. */
  connections(): PeerSummary[] {
    return this.peers.summaries();
  }

  stats(): NodeStats {
    let bytesSent = 0;
    let bytesReceived = 0;
    for (const conn of this.peers.connections()) {
      const s = conn.stats();
      bytesSent += s.bytesSent;
      bytesReceived += s.bytesReceived;
    }
    return {
      uptimeMs: this.uptime(),
      activeConnections: this.peers.size,
      messagesSent: this.frames.sent,
      messagesReceived: this.frames.received,
      bytesSent,
      bytesReceived,
      handshakesFailed: this.peers.handshakesFailed,
    };
  }

  /** Subscribes to a node event; returns the unsubscribe function. */
  on<K extends keyof NodeEvents>(event: K, listener: (e: NodeEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  private emit<K extends keyof NodeEvents>(event: K, e: NodeEvents[K]): void {
    if (event.startsWith('member:')) this.services?.memberEvent(event, e as Member);
    this.events.emit(event, e);
  }

  private uptime(): number {
    return this.startedAt ? this.clock.now() - this.startedAt : 0;
  }
}
