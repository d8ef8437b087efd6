import { MaculaError } from '../core/index.js';
import { Bootstrapper, type DiscoveryProvider } from '../discovery/index.js';
import {
  checkAliveKey,
  type Member,
  type MembershipEvents,
  Swim,
  type SwimTunables,
  WireNet,
} from '../membership/index.js';
import { FrameType } from '../protocol/index.js';
import type { AbortOptions, Clock, Random, TimerHandle } from '../runtime/index.js';
import type { NodeIdentity } from '../security/index.js';
import { ConnectionManager, type PeerLinks } from '../topology/index.js';
import type { Address, Connection, Endpoint } from '../transport/index.js';
import type { StreamRouter } from './streams.js';
import type { NodeLogger, PeerSummary } from './types.js';

/** What the mesh needs from its node. */
export interface MeshHost {
  readonly endpoint: Endpoint;
  readonly streams: StreamRouter;
  connect(address: Address, opts: AbortOptions): Promise<PeerSummary>;
  connections(): PeerSummary[];
  /** The live connection to peer `id`, if any. */
  connection(id: string): Connection | undefined;
  /** Closes the connection to `id`, if any. */
  disconnect(id: string, reason: string): Promise<void>;
  /** Ms since messages last crossed the connection to `id` (undefined: none did). */
  idleMs(id: string): number | undefined;
  emit<K extends keyof MembershipEvents>(event: K, e: MembershipEvents[K]): void;
}

export interface MeshOptions {
  identity: NodeIdentity;
  name?: string;
  /** The address other members reach this node at. */
  advertise: Address;
  clock: Clock;
  random: Random;
  logger: NodeLogger;
  membership?: Partial<SwimTunables>;
  topology: { k: number; longRange?: number; maxConnections: number };
  discovery: DiscoveryProvider[];
}

const MEMBER_EVENTS = [
  'member:join',
  'member:alive',
  'member:suspect',
  'member:dead',
  'member:leave',
  'member:update',
] as const;

/**
 * Membership, topology and discovery for one node: SWIM over signed datagrams, push-pull
 * on QUIC streams, the connection manager fed with the alive members, and the bootstrap
 * loop that (re)joins through the discovery providers whenever the node is alone.
 */
export class Mesh {
  readonly swim: Swim;
  readonly topology: ConnectionManager;
  private readonly net: WireNet;
  private readonly bootstrapper: Bootstrapper;
  private refresh: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly host: MeshHost,
    private readonly o: MeshOptions,
  ) {
    const { identity } = o;
    this.net = new WireNet({
      realm: identity.realm,
      selfId: identity.nodeId.hex,
      identityKey: identity.key,
      port: host.endpoint,
      logger: o.logger,
      syncRequest: (to, payload, opts) => this.syncRequest(to, payload, opts),
    });
    this.swim = new Swim({
      self: {
        id: identity.nodeId.hex,
        address: o.advertise,
        key: this.net.key,
        ...(o.name ? { name: o.name } : {}),
      },
      net: this.net,
      clock: o.clock,
      random: o.random,
      logger: o.logger,
      checkKey: checkAliveKey,
      ...(o.membership ? { tunables: o.membership } : {}),
    });
    this.topology = new ConnectionManager({
      self: identity.nodeId.hex,
      ...o.topology,
      clock: o.clock,
      random: o.random,
      links: this.links(),
      logger: o.logger,
    });
    this.bootstrapper = new Bootstrapper({
      providers: o.discovery,
      clock: o.clock,
      random: o.random,
      logger: o.logger,
      join: (candidates, opts) => this.join(candidates, opts),
    });
    host.streams.handle(FrameType.MEMBERSHIP_SYNC, (payload, peerId) => this.net.serveSync(payload, peerId));
  }

  start(): void {
    this.net.attach(this.swim);
    for (const ev of MEMBER_EVENTS) {
      this.swim.on(ev, (m: Member) => {
        this.host.emit(ev, m);
        this.scheduleRefresh();
        // Its connection may linger until the idle timeout: a restart must not find it.
        if (ev === 'member:dead') void this.host.disconnect(m.id, 'declared dead by membership');
        if ((ev === 'member:dead' || ev === 'member:leave') && this.swim.aliveOthers().length === 0) {
          this.bootstrapper.restart(); // alone again: go back to the bootstrap nodes
        }
      });
    }
    this.swim.start();
    this.bootstrapper.start();
  }

  peerConnected(id: string): void {
    this.topology.peerConnected(id);
  }

  peerDisconnected(id: string): void {
    this.topology.peerDisconnected(id);
  }

  /** Announces a graceful leave, then stops every loop. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.refresh) this.o.clock.clearTimeout(this.refresh);
    this.bootstrapper.stop();
    this.topology.stop();
    this.swim.leave();
    await this.net.flush();
    this.swim.stop();
    this.net.detach();
  }

  private async join(candidates: Address[], opts: AbortOptions): Promise<boolean> {
    const self = this.o.advertise;
    const others = candidates.filter((c) => !(c.host === self.host && c.port === self.port));
    if (others.length === 0) return false;
    try {
      return (await this.swim.join(others, opts)) > 0;
    } catch (err) {
      this.o.logger.debug({ err }, 'join attempt failed');
      return false;
    }
  }

  /** Coalesces membership changes into one topology update (a join storm is many events). */
  private scheduleRefresh(): void {
    if (this.refresh || this.stopped) return;
    this.refresh = this.o.clock.setTimeout(() => {
      this.refresh = undefined;
      this.topology.setMembers(this.swim.aliveOthers());
    }, 50);
  }

  private async syncRequest(to: Address, payload: Uint8Array, opts: AbortOptions) {
    const peer = await this.host.connect(to, opts);
    const conn = this.host.connection(peer.nodeId);
    if (!conn)
      throw new MaculaError(
        'NOT_CONNECTED',
        `connection to ${peer.nodeId.slice(0, 8)} closed before push-pull`,
      );
    const reply = await this.host.streams.request(conn, FrameType.MEMBERSHIP_SYNC, payload, {
      ...opts,
      ownStream: true, // a whole member list: not in front of the channel's small frames
    });
    return { from: peer.nodeId, payload: reply };
  }

  private links(): PeerLinks {
    return {
      connect: async (id, address, opts) => {
        if (this.host.connections().some((p) => p.nodeId === id)) return;
        const peer = await this.host.connect(address, opts);
        if (peer.nodeId !== id)
          throw new MaculaError(
            'WRONG_PEER',
            `${address.host}:${address.port} is ${peer.nodeId.slice(0, 8)}, not ${id.slice(0, 8)}`,
          );
      },
      disconnect: (id, reason) => this.host.disconnect(id, reason),
      connected: () =>
        this.host.connections().map((p) => {
          const idleMs = this.host.idleMs(p.nodeId);
          return {
            id: p.nodeId,
            direction: p.direction,
            rttMs: p.rttMs,
            ...(idleMs !== undefined ? { idleMs } : {}),
          };
        }),
    };
  }
}
