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
import {
  type AbortOptions,
  type Clock,
  Emitter,
  raceAbort,
  systemClock,
  systemRandom,
  withDeadline,
} from '../runtime/index.js';
import { identityTlsOptions, verifyPeerIdentity } from '../security/index.js';
import { renderTopology, type TopologySnapshot } from '../topology/index.js';
import {
  type Address,
  type Connection,
  createQuicTransport,
  type Endpoint,
  TlsError,
  type TlsOptions,
} from '../transport/index.js';
import { advertiseAddress } from './advertise.js';
import { CLOSE } from './close-codes.js';
import { controlChannel } from './control.js';
import type { NodeDht } from './dht.js';
import { providersFromStatic } from './discovery.js';
import { runHandshake } from './handshake.js';
import { Mesh } from './mesh.js';
import type { NodeDown } from './monitors.js';
import type { Subscription } from './pubsub-local.js';
import type { RouteOptions, RouteReceipt } from './router.js';
import type { RoutesSummary } from './routes-summary.js';
import { NodeServices } from './services.js';
import { StreamRouter } from './streams.js';
import type { NodeEvents, NodeLogger, NodeOptions, NodeStats, PeerSummary } from './types.js';

/** Package version, reported by `node.version` and the CLI. */
export const VERSION = '0.1.0';

/** Default deadline of a dial plus handshake. */
const DIAL_TIMEOUT_MS = 15_000;

export { CLOSE } from './close-codes.js';

interface Peer {
  summary: PeerSummary;
  conn: Connection;
  /** When the peer's process started (its hello): a later one means it restarted. */
  startedAt: number;
}

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
  private readonly peers = new Map<string, Peer>();
  private readonly dials = new Map<
    string,
    { promise: Promise<PeerSummary>; ctl: AbortController; waiters: number }
  >();
  private readonly events: Emitter<NodeEvents>;
  private mesh: Mesh | undefined;
  private streams: StreamRouter | undefined;
  private services: NodeServices | undefined;
  private readonly clock: Clock;
  private readonly log: NodeLogger;
  private startedAt = 0;
  /** Wall-clock start, announced in every hello (the same value on every connection). */
  private createdAt = 0;
  private handshakesFailed = 0;
  /** Macula frames exchanged (all peers, since start). */
  private readonly frames = { sent: 0, received: 0 };

  constructor(private readonly opts: NodeOptions) {
    this.nodeId = opts.identity.nodeId.hex;
    this.realm = opts.identity.realm;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silent;
    this.events = new Emitter((err, event) => this.log.warn({ err, event }, 'node event listener threw'));
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
      onHandshakeError: ({ remoteAddress, error }) => this.refused(remoteAddress, error),
    });
    this.startedAt = this.clock.now();
    this.createdAt = Date.now();
    this.streams = new StreamRouter(this.clock, this.frames, this.log);
    this.services = this.startServices(this.streams);
    if (this.opts.membership !== false) this.startMesh(this.endpoint, this.streams);
    this.endpoint.onConnection((conn) => {
      this.adopt(conn, 'inbound').catch((e: unknown) =>
        this.log.debug({ err: e }, 'inbound handshake failed'),
      );
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
        connection: (id) => this.peers.get(id)?.conn,
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
        connection: (id) => this.peers.get(id)?.conn,
        connectedIds: () => this.peers.keys(),
        connect: (address, opts) => this.connect(address, opts),
        member: (id) => {
          const m = this.mesh?.swim.member(id);
          return m && { address: m.address, alive: m.state === 'alive' || m.state === 'suspect' };
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
    await this.peers.get(id)?.conn.close({ code: CLOSE.normal, reason });
  }

  /** TLS with our identity: realm and node-id checks run in the transport's verifyPeer hook. */
  private tlsOptions(): TlsOptions {
    return identityTlsOptions(this.opts.identity, { realm: this.realm, caPem: this.opts.identity.ca });
  }

  /** A handshake that failed before it made a peer, inbound (endpoint hook) or outbound (connect). */
  private refused(address: Address, error: Error): void {
    const by = error instanceof TlsError && error.side === 'remote' ? 'peer' : 'us';
    this.emit('peer:refused', { address, reason: error.message, by });
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
    for (const p of this.peers.values()) {
      const a = p.summary.address;
      if (a.host === address.host && a.port === address.port) return p.summary;
    }
    // One dial per address: concurrent callers (bootstrap, topology, push-pull) share it,
    // so we never race two of our own connections to one peer. It is cancelled when
    // every caller has given up.
    const key = `${address.host}:${address.port}`;
    let d = this.dials.get(key);
    if (!d) {
      const ctl = new AbortController();
      const timeoutMs = opts?.timeoutMs ?? DIAL_TIMEOUT_MS;
      const promise = this.dial(this.endpoint, address, { signal: ctl.signal, timeoutMs });
      promise.catch(() => {}); // every caller gets the rejection through its own await
      const entry = { promise, ctl, waiters: 0 };
      promise.finally(() => this.dials.get(key) === entry && this.dials.delete(key)).catch(() => {});
      this.dials.set(key, entry);
      d = entry;
    }
    const shared = d;
    shared.waiters++;
    try {
      return await withDeadline(this.clock, opts, 'connect', (signal) => raceAbort(shared.promise, signal));
    } finally {
      if (--shared.waiters === 0) shared.ctl.abort();
    }
  }

  private async dial(endpoint: Endpoint, address: Address, opts: AbortOptions): Promise<PeerSummary> {
    let conn: Connection;
    try {
      conn = await endpoint.dial(address, opts);
    } catch (e) {
      if (e instanceof TlsError) this.refused(address, e);
      throw e;
    }
    return this.adopt(conn, 'outbound');
  }

  /** Verified peers, one per node. */
  connections(): PeerSummary[] {
    return [...this.peers.values()].map((p) => ({ ...p.summary, rttMs: p.conn.stats().rttMs }));
  }

  stats(): NodeStats {
    let bytesSent = 0;
    let bytesReceived = 0;
    for (const p of this.peers.values()) {
      const s = p.conn.stats();
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
      handshakesFailed: this.handshakesFailed,
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

  private async adopt(conn: Connection, direction: 'inbound' | 'outbound'): Promise<PeerSummary> {
    let peerNodeId: string;
    try {
      // TLS already ran this check in verifyPeer; it is repeated here for the node id (cached, ~3 µs).
      peerNodeId = verifyPeerIdentity(conn.peerCertificates, { realm: this.realm }).nodeId.hex;
    } catch (e) {
      await conn.close({ code: CLOSE.handshakeFailed, reason: (e as Error).message.slice(0, 200) });
      throw e;
    }
    let peerStartedAt = 0;
    try {
      const summary = await withDeadline(
        this.clock,
        { timeoutMs: this.opts.handshakeTimeoutMs ?? 10_000 },
        'Macula handshake',
        async () => {
          const stream = direction === 'outbound' ? await conn.openStream() : await conn.acceptStream();
          const ch = controlChannel(stream, this.frames);
          const me = {
            nodeId: this.nodeId,
            realm: this.realm,
            key: this.opts.identity.key,
            name: this.opts.name,
            capabilities: this.opts.capabilities ?? [],
            createdAt: this.createdAt,
          };
          const role = direction === 'outbound' ? 'client' : 'server';
          const peer = await runHandshake(ch, role, me, peerNodeId, conn.peerCertificates[0]!);
          peerStartedAt = peer.createdAt;
          return {
            nodeId: peerNodeId,
            ...(peer.name ? { name: peer.name } : {}),
            address: conn.remoteAddress,
            direction,
            state: 'connected' as const,
            rttMs: conn.stats().rttMs,
            since: Date.now(),
          };
        },
      );
      return this.keepPeer(conn, summary, peerStartedAt);
    } catch (e) {
      // Lost a simultaneous-dial tie-break: we are connected, through the other connection.
      const survivor = await this.survivor(peerNodeId, conn);
      if (survivor) return survivor;
      this.handshakesFailed++;
      await conn.close({ code: CLOSE.handshakeFailed, reason: (e as Error).message.slice(0, 200) });
      this.emit('error', e as Error);
      throw e;
    }
  }

  /**
   * When `conn` was closed by the peer as a duplicate, the peer kept the other connection:
   * resolves with that peer once its handshake completes here (or undefined).
   */
  private async survivor(nodeId: string, conn: Connection): Promise<PeerSummary | undefined> {
    const info = await Promise.race([conn.closed, Promise.resolve(undefined)]);
    const duplicate = info?.kind === 'remote' && info.code === CLOSE.duplicate;
    const now = this.peers.get(nodeId);
    if (now && now.conn !== conn) return now.summary;
    if (!duplicate) return undefined;
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        off();
        resolve(undefined);
      }, this.opts.handshakeTimeoutMs ?? 10_000);
      const off = this.on('peer:connected', (p) => {
        if (p.nodeId !== nodeId) return;
        this.clock.clearTimeout(timer);
        off();
        resolve(p);
      });
    });
  }

  private uptime(): number {
    return this.startedAt ? this.clock.now() - this.startedAt : 0;
  }

  /** Keeps one connection per peer: the one dialed by the smaller node id. */
  private keepPeer(conn: Connection, summary: PeerSummary, startedAt: number): PeerSummary {
    const dialer = (s: PeerSummary) => (s.direction === 'outbound' ? this.nodeId : s.nodeId);
    const existing = this.peers.get(summary.nodeId);
    if (existing && existing.conn !== conn) {
      // A restarted peer's new connection replaces the old one, which is dead but not yet timed out.
      const restarted = startedAt !== existing.startedAt;
      const keepNew = restarted ? startedAt > existing.startedAt : dialer(summary) < dialer(existing.summary);
      const loser = keepNew ? existing : { conn, summary };
      void loser.conn.close({ code: CLOSE.duplicate, reason: 'duplicate connection' });
      if (!keepNew) return existing.summary;
    }
    this.peers.set(summary.nodeId, { conn, summary, startedAt });
    conn.closed.then((info) => {
      if (this.peers.get(summary.nodeId)?.conn !== conn) return;
      this.peers.delete(summary.nodeId);
      const reason = info.reason || info.kind;
      if (info.kind !== 'remote' || info.code !== CLOSE.duplicate) {
        this.emit('peer:disconnected', { nodeId: summary.nodeId, reason });
        return;
      }
      // The peer kept our other connection (simultaneous dial): its handshake is about to
      // complete here. Report a disconnect only if it does not within the handshake timeout.
      this.clock.setTimeout(() => {
        if (!this.peers.has(summary.nodeId) && !this.stopping) {
          this.emit('peer:disconnected', { nodeId: summary.nodeId, reason });
        }
      }, this.opts.handshakeTimeoutMs ?? 10_000);
    });
    this.log.info(
      { peer: summary.nodeId.slice(0, 8), address: summary.address, direction: summary.direction },
      'peer connected',
    );
    this.streams?.attach(conn, summary.nodeId);
    this.services?.peerConnected(summary.nodeId, summary.address);
    this.emit('peer:connected', summary);
    return summary;
  }
}
