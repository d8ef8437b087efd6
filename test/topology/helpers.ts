import { AbortError } from '../../src/core/index.js';
import type { AbortOptions, Random } from '../../src/runtime/index.js';
import type { ConnectionManager, LinkInfo, PeerLinks } from '../../src/topology/index.js';
import type { Address } from '../../src/transport/index.js';

/** A ring id at a chosen position: `prefix` hex digits, then zeros. */
export function at(prefix: string): string {
  return prefix.padEnd(64, '0');
}

/** `n` distinct uniformly random ids. */
export function randomIds(random: Random, n: number): string[] {
  const ids = new Set<string>();
  while (ids.size < n) ids.add(Buffer.from(random.bytes(32)).toString('hex'));
  return [...ids];
}

export function addr(id: string): Address {
  return { host: `10.0.0.${Number.parseInt(id.slice(0, 2), 16)}`, port: 4433 };
}

export function members(ids: readonly string[]): Array<{ id: string; address: Address }> {
  return ids.map((id) => ({ id, address: addr(id) }));
}

interface PendingDial {
  id: string;
  at: number;
  signal: AbortSignal | undefined;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * A node stand-in whose dials settle when the test says so (or at once, per `policy`).
 * It notifies the manager like the node does: peer connected / disconnected events.
 */
export class FakeLinks implements PeerLinks {
  manager: ConnectionManager | undefined;
  readonly conns = new Map<string, LinkInfo>();
  readonly pending = new Map<string, PendingDial>();
  /** Every connect call, in order. */
  readonly dialLog: Array<{ id: string; at: number; address: Address; opts: AbortOptions }> = [];
  readonly disconnects: Array<{ id: string; reason: string; at: number }> = [];
  /** Set when a second dial to a member started while one was pending. */
  overlapping: string[] = [];
  /** What a new dial does: 'hold' = wait for the test, 'ok' / 'fail' = settle on the next microtask. */
  policy: (id: string) => 'hold' | 'ok' | 'fail' = () => 'hold';

  constructor(private readonly now: () => number) {}

  connect(id: string, address: Address, opts: AbortOptions): Promise<void> {
    this.dialLog.push({ id, at: this.now(), address, opts });
    if (this.pending.has(id)) this.overlapping.push(id);
    return new Promise<void>((resolve, reject) => {
      const d: PendingDial = { id, at: this.now(), signal: opts.signal, resolve, reject };
      this.pending.set(id, d);
      opts.signal?.addEventListener('abort', () => {
        if (this.pending.get(id) === d) this.pending.delete(id);
        reject(new AbortError());
      });
      const p = this.policy(id);
      // Settles this dial only if it is still the pending one (it may have been aborted).
      if (p !== 'hold')
        queueMicrotask(() => this.pending.get(id) === d && (p === 'ok' ? this.succeed(id) : this.fail(id)));
    });
  }

  async disconnect(id: string, reason: string): Promise<void> {
    this.disconnects.push({ id, reason, at: this.now() });
    if (this.conns.delete(id)) this.manager?.peerDisconnected(id);
  }

  connected(): ReadonlyArray<LinkInfo> {
    return [...this.conns.values()];
  }

  /** Completes the pending dial to `id`. */
  succeed(id: string, rttMs = 1): void {
    const d = this.pending.get(id);
    if (!d) throw new Error(`no pending dial to ${id.slice(0, 8)}`);
    this.pending.delete(id);
    this.conns.set(id, { id, direction: 'outbound', rttMs });
    this.manager?.peerConnected(id);
    d.resolve();
  }

  /** Fails the pending dial to `id`. */
  fail(id: string): void {
    const d = this.pending.get(id);
    if (!d) throw new Error(`no pending dial to ${id.slice(0, 8)}`);
    this.pending.delete(id);
    d.reject(new Error('connection refused'));
  }

  /** Another node dialed us. */
  inbound(id: string, rttMs = 1): void {
    this.conns.set(id, { id, direction: 'inbound', rttMs });
    this.manager?.peerConnected(id);
  }

  /** The peer (or the network) closed the connection. */
  drop(id: string): void {
    if (this.conns.delete(id)) this.manager?.peerDisconnected(id);
  }

  dialsTo(id: string): number[] {
    return this.dialLog.filter((d) => d.id === id).map((d) => d.at);
  }
}
