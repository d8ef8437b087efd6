// Shared helpers for routing tests: seeded ids, contacts, an independent brute force, a fake net.
import { commonPrefixLength, NodeId, xorDistance } from '../../src/core/index.js';
import type { Contact, RoutingNet } from '../../src/routing/index.js';
import { type Random, toAbortError, type VirtualClock } from '../../src/runtime/index.js';

export function randomId(random: Random): string {
  return Buffer.from(random.bytes(32)).toString('hex');
}

let port = 1000;
export function contact(id: string): Contact {
  return { id, address: { host: '127.0.0.1', port: port++ } };
}

/** Ids sorted by XOR distance to `target`, using the core helpers (not the routing code under test). */
export function byDistance(ids: readonly string[], target: string): string[] {
  const t = NodeId.fromHex(target);
  const d = new Map(ids.map((id) => [id, Buffer.from(xorDistance(NodeId.fromHex(id), t))]));
  return [...ids].sort((a, b) => Buffer.compare(d.get(a)!, d.get(b)!));
}

export function cpl(a: string, b: string): number {
  return commonPrefixLength(NodeId.fromHex(a), NodeId.fromHex(b));
}

/** How a fake peer behaves: its answer (or silence) and its one-way delay. */
export interface FakePeer {
  answer?: (target: string) => unknown;
  delayMs?: number;
  /** Never answers (a dead peer). */
  dead?: boolean;
  /** Rejects at once with this error. */
  fail?: Error;
}

/** A {@link RoutingNet} over scripted peers on a virtual clock; requests honour their signal. */
export class FakeNet implements RoutingNet {
  readonly peers = new Map<string, FakePeer>();
  readonly asked: string[] = [];
  constructor(private readonly clock: VirtualClock) {}

  findNode(to: Contact, target: string, opts: { signal?: AbortSignal }): Promise<Contact[]> {
    this.asked.push(to.id);
    const p = this.peers.get(to.id);
    return new Promise((resolve, reject) => {
      const signal = opts.signal;
      if (signal?.aborted) return reject(toAbortError(signal.reason));
      if (p?.fail) return reject(p.fail);
      const timer =
        p && !p.dead
          ? this.clock.setTimeout(
              () => {
                signal?.removeEventListener('abort', onAbort);
                resolve((p.answer?.(target) ?? []) as Contact[]);
              },
              2 * (p.delayMs ?? 10),
            )
          : undefined;
      const onAbort = () => {
        if (timer) this.clock.clearTimeout(timer);
        reject(toAbortError(signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
