/**
 * The node's verified peers: dialing (one dial per address, shared by concurrent callers),
 * the Macula handshake on each connection's first stream, and one connection per peer
 * (when both dial at once, the one dialed by the smaller node id wins, a rule both sides
 * apply the same way; a restarted peer's new connection replaces the old one).
 */
import { type AbortOptions, type Clock, raceAbort, withDeadline } from '../runtime/index.js';
import { verifyPeerIdentity } from '../security/index.js';
import { type Address, type Connection, type Endpoint, TlsError } from '../transport/index.js';
import { CLOSE } from './close-codes.js';
import { controlChannel, type FrameCounters } from './control.js';
import { type LocalIdentity, runHandshake } from './handshake.js';
import type { NodeEvents, NodeLogger, PeerSummary } from './types.js';

const DIAL_TIMEOUT_MS = 15_000;

interface Peer {
  summary: PeerSummary;
  conn: Connection;
  /** When the peer's process started (its hello): a later one means it restarted. */
  startedAt: number;
}

/** What the peer set needs from its node. */
export interface PeersHost {
  readonly nodeId: string;
  readonly realm: string;
  readonly clock: Clock;
  readonly log: NodeLogger;
  readonly frames: FrameCounters;
  /** What this node says in its hello. */
  hello(): Omit<LocalIdentity, 'nodeId' | 'realm'>;
  handshakeTimeoutMs: number;
  /** False once the node is stopping. */
  running(): boolean;
  /** A new peer: streams and services attach to it before `peer:connected` is emitted. */
  adopted(conn: Connection, summary: PeerSummary): void;
  emit<K extends keyof NodeEvents>(event: K, e: NodeEvents[K]): void;
  on<K extends keyof NodeEvents>(event: K, listener: (e: NodeEvents[K]) => void): () => void;
}

export class PeerSet {
  private readonly peers = new Map<string, Peer>();
  private readonly dials = new Map<
    string,
    { promise: Promise<PeerSummary>; ctl: AbortController; waiters: number }
  >();
  handshakesFailed = 0;

  constructor(private readonly host: PeersHost) {}

  get size(): number {
    return this.peers.size;
  }

  /** The live connection to peer `id`, if any. */
  connection(id: string): Connection | undefined {
    return this.peers.get(id)?.conn;
  }

  ids(): IterableIterator<string> {
    return this.peers.keys();
  }

  connections(): Connection[] {
    return [...this.peers.values()].map((p) => p.conn);
  }

  /** Verified peers, one per node. */
  summaries(): PeerSummary[] {
    return [...this.peers.values()].map((p) => ({ ...p.summary, rttMs: p.conn.stats().rttMs }));
  }

  clear(): void {
    this.peers.clear();
  }

  /** Dials `address` on `endpoint`, runs the handshake and returns the peer. */
  async connect(endpoint: Endpoint, address: Address, opts?: AbortOptions): Promise<PeerSummary> {
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
      const promise = this.dial(endpoint, address, { signal: ctl.signal, timeoutMs });
      promise.catch(() => {}); // every caller gets the rejection through its own await
      const entry = { promise, ctl, waiters: 0 };
      promise.finally(() => this.dials.get(key) === entry && this.dials.delete(key)).catch(() => {});
      this.dials.set(key, entry);
      d = entry;
    }
    const shared = d;
    shared.waiters++;
    try {
      return await withDeadline(this.host.clock, opts, 'connect', (signal) =>
        raceAbort(shared.promise, signal),
      );
    } finally {
      if (--shared.waiters === 0) shared.ctl.abort();
    }
  }

  /** A handshake that failed before it made a peer, inbound (endpoint hook) or outbound (connect). */
  refused(address: Address, error: Error): void {
    const by = error instanceof TlsError && error.side === 'remote' ? 'peer' : 'us';
    this.host.emit('peer:refused', { address, reason: error.message, by });
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

  /** Runs the Macula handshake on `conn`; it becomes a peer (or loses to a duplicate). */
  async adopt(conn: Connection, direction: 'inbound' | 'outbound'): Promise<PeerSummary> {
    const h = this.host;
    let peerNodeId: string;
    try {
      // TLS already ran this check in verifyPeer; it is repeated here for the node id (cached, ~3 µs).
      peerNodeId = verifyPeerIdentity(conn.peerCertificates, { realm: h.realm }).nodeId.hex;
    } catch (e) {
      await conn.close({ code: CLOSE.handshakeFailed, reason: (e as Error).message.slice(0, 200) });
      throw e;
    }
    let peerStartedAt = 0;
    try {
      const summary = await withDeadline(
        h.clock,
        { timeoutMs: h.handshakeTimeoutMs },
        'Macula handshake',
        async () => {
          const stream = direction === 'outbound' ? await conn.openStream() : await conn.acceptStream();
          const ch = controlChannel(stream, h.frames);
          const me = { nodeId: h.nodeId, realm: h.realm, ...h.hello() };
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
      h.emit('error', e as Error);
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
    const { clock } = this.host;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        off();
        resolve(undefined);
      }, this.host.handshakeTimeoutMs);
      const off = this.host.on('peer:connected', (p) => {
        if (p.nodeId !== nodeId) return;
        clock.clearTimeout(timer);
        off();
        resolve(p);
      });
    });
  }

  /** Keeps one connection per peer: the one dialed by the smaller node id. */
  private keepPeer(conn: Connection, summary: PeerSummary, startedAt: number): PeerSummary {
    const h = this.host;
    const dialer = (s: PeerSummary) => (s.direction === 'outbound' ? h.nodeId : s.nodeId);
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
        h.emit('peer:disconnected', { nodeId: summary.nodeId, reason });
        return;
      }
      // The peer kept our other connection (simultaneous dial): its handshake is about to
      // complete here. Report a disconnect only if it does not within the handshake timeout.
      h.clock.setTimeout(() => {
        if (!this.peers.has(summary.nodeId) && h.running()) {
          h.emit('peer:disconnected', { nodeId: summary.nodeId, reason });
        }
      }, h.handshakeTimeoutMs);
    });
    h.log.info(
      { peer: summary.nodeId.slice(0, 8), address: summary.address, direction: summary.direction },
      'peer connected',
    );
    h.adopted(conn, summary);
    h.emit('peer:connected', summary);
    return summary;
  }
}
