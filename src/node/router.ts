import { bump, MaculaError } from '../core/index.js';
import { MailboxError } from '../mailbox/index.js';
import { FrameType } from '../protocol/index.js';
import {
  type Contact,
  createEnvelope,
  isNodeIdHex,
  nextHop,
  type RouteEnvelope,
  RouteGuard,
  RoutingError,
  rankNextHops,
} from '../routing/index.js';
import { RpcError } from '../rpc/index.js';
import { type AbortOptions, type Random, throwIfAborted } from '../runtime/index.js';
import { CLOSE } from './close-codes.js';
import type { RoutingHost, RoutingService } from './routing.js';

/** A routed message arriving at its destination. */
export interface Delivery {
  envelope: RouteEnvelope;
  body: unknown;
}

/** Handles the messages of one kind that reach this node; its result goes back to the sender. */
export type DeliveryHandler = (d: Delivery) => Promise<unknown>;

/** What the sender learns once its message was delivered. */
export interface RouteReceipt {
  /** Forwards it took (0 = direct connection). */
  hops: number;
  /** The sender, then every node that forwarded it (with `recordPath`). */
  path?: string[];
  /** What the destination's handler returned (RPC results). */
  result?: unknown;
}

/** Per-send options. */
export interface RouteOptions extends AbortOptions {
  hopLimit?: number;
  /** Record the forwarding path (also lets a message detour around a dead end). */
  recordPath?: boolean;
}

/** Routed-message counters; `rejected` by error code. */
export interface RouterStats {
  sent: number;
  delivered: number;
  forwarded: number;
  /** Forwards retried through the next-best neighbour after the best failed. */
  fallbacks: number;
  /** Hops retried on a peer's other connection after theirs closed (simultaneous dials). */
  retries: number;
  /** Retried messages that had already arrived here: acknowledged, not delivered twice. */
  duplicates: number;
  rejected: Record<string, number>;
}

/** Next hops tried per message before giving up (best, then next-best…). */
const MAX_TRIES = 3;

type Reply =
  | { ok: true; h: number; p?: string[]; r?: unknown }
  | { err: { code: string; message: string; rc?: string } };

/**
 * Hop-by-hop message routing over ROUTE stream requests. Each hop forwards to the
 * connected neighbour closest to the destination by XOR (falling back to the next-best,
 * then to dialing a closer routing-table contact) and answers only once the next hop
 * answered: the sender's promise settles with the destination's verdict, end to end.
 */
export class Router {
  readonly stats: RouterStats = {
    sent: 0,
    delivered: 0,
    forwarded: 0,
    fallbacks: 0,
    retries: 0,
    duplicates: 0,
    rejected: {},
  };
  private readonly guard: RouteGuard;
  private readonly kinds = new Map<string, DeliveryHandler>();

  constructor(
    private readonly host: RoutingHost,
    private readonly routing: RoutingService,
    private readonly o: { random: Random; hopLimit: number; dialOnDemand: boolean },
  ) {
    this.guard = new RouteGuard({ selfId: host.selfId });
    host.streams.handle(FrameType.ROUTE, (payload, peerId) => this.serve(payload, peerId));
  }

  /** Registers the handler of one message kind (`mail`, later pub/sub and RPC). */
  handle(kind: string, handler: DeliveryHandler): void {
    if (this.kinds.has(kind))
      throw new MaculaError('ALREADY_REGISTERED', `kind ${kind} already has a handler`);
    this.kinds.set(kind, handler);
  }

  /** Sends `body` of `kind` to node `dest`: directly when connected, else hop by hop. */
  async send(dest: string, kind: string, body: unknown, opts: RouteOptions = {}): Promise<RouteReceipt> {
    const env = createEnvelope({
      id: Buffer.from(this.o.random.bytes(12)).toString('base64url'),
      src: this.host.selfId,
      dest,
      hopLimit: opts.hopLimit ?? this.o.hopLimit,
      ...(opts.recordPath ? { recordPath: true } : {}),
    });
    this.stats.sent++;
    this.guard.admit(env);
    if (dest === this.host.selfId) {
      const result = await this.deliver({ envelope: env, body }, kind);
      return { hops: 0, ...(env.path ? { path: [env.src] } : {}), ...withResult(result) };
    }
    const r = await this.forward(env, kind, body, opts);
    return r.path ? { ...r, path: [env.src, ...r.path] } : r;
  }

  private async serve(payload: unknown, peerId: string): Promise<Reply> {
    try {
      const { e, k, b } = parseRoute(payload);
      // Hop 0 comes straight from its source: the connection proves who that is.
      if (e.hops === 0 && e.src !== peerId) {
        throw new RoutingError('INVALID_ENVELOPE', 'A message at hop 0 must come from its source');
      }
      try {
        this.guard.admit(e);
      } catch (err) {
        // A retry of a message we already delivered (its reply was lost): ack, don't redeliver.
        if (e.dest !== this.host.selfId || (err as RoutingError).code !== 'LOOP') throw err;
        this.stats.duplicates++;
        return { ok: true, h: e.hops, ...(e.path ? { p: e.path } : {}) };
      }
      if (e.dest === this.host.selfId) {
        const result = await this.deliver({ envelope: e, body: b }, k);
        return {
          ok: true,
          h: e.hops,
          ...(e.path ? { p: e.path } : {}),
          ...(result !== undefined ? { r: result } : {}),
        };
      }
      if (e.hops >= e.hopLimit)
        throw new RoutingError('HOP_LIMIT', `Message ${e.id} used its ${e.hopLimit} hops`);
      const next: RouteEnvelope = { ...e, hops: e.hops + 1 };
      if (e.path) next.path = [...e.path, this.host.selfId];
      this.stats.forwarded++;
      const r = await this.forward(next, k, b, {});
      return {
        ok: true,
        h: r.hops,
        ...(r.path ? { p: r.path } : {}),
        ...(r.result !== undefined ? { r: r.result } : {}),
      };
    } catch (err) {
      const e = errorReply(err);
      bump(this.stats.rejected, e.code);
      return { err: e };
    }
  }

  private async deliver(d: Delivery, kind: string): Promise<unknown> {
    const handler = this.kinds.get(kind);
    if (!handler)
      throw new RoutingError(
        'NO_ROUTE',
        `Node ${this.host.selfId.slice(0, 8)} does not handle ${kind} messages`,
      );
    const result = await handler(d);
    this.stats.delivered++;
    return result;
  }

  /** Tries the best next hops in turn; a typed answer from downstream ends the search. */
  private async forward(
    env: RouteEnvelope,
    kind: string,
    body: unknown,
    opts: AbortOptions,
  ): Promise<RouteReceipt> {
    let lastErr: unknown;
    for (const [i, to] of this.candidates(env).entries()) {
      if (i > 0) this.stats.fallbacks++;
      try {
        return await this.attempt(to, { e: env, k: kind, b: body }, opts);
      } catch (err) {
        if (isFinal(err)) throw err;
        throwIfAborted(opts.signal); // out of time: say so, not "no route"
        lastErr = err; // that hop is unreachable: try the next-best
      }
    }
    throw new RoutingError(
      'NO_ROUTE',
      `No route from ${this.host.selfId.slice(0, 8)} to ${env.dest.slice(0, 8)}`,
      {
        cause: lastErr,
      },
    );
  }

  /**
   * One hop's request. When its connection closes under it and another connection to
   * the same peer is up (a simultaneous dial settled on the other one), retries there once.
   */
  private async attempt(to: Contact, frame: unknown, opts: AbortOptions): Promise<RouteReceipt> {
    const conn = await this.routing.connectTo(to, opts);
    try {
      return receipt((await this.host.streams.request(conn, FrameType.ROUTE, frame, opts)) as Reply);
    } catch (err) {
      if (isFinal(err)) throw err;
      let other = this.host.connection(to.id);
      if (!other || other === conn) {
        // Our connection lost a simultaneous-dial race: the peer's own dial is the one kept,
        // and its handshake may not have completed here yet. Reach the peer through it.
        if ((err as { closeCode?: unknown }).closeCode !== CLOSE.duplicate) throw err;
        other = await this.routing.connectTo(to, opts);
        if (other === conn) throw err;
      }
      this.stats.retries++;
      return receipt((await this.host.streams.request(other, FrameType.ROUTE, frame, opts)) as Reply);
    }
  }

  /** Next hops to try, best first: the destination itself, closer neighbours, closer table contacts, a detour. */
  private candidates(env: RouteEnvelope): Contact[] {
    const self = this.host.selfId;
    const dest = env.dest;
    const contact = (id: string): Contact | undefined => {
      const address = this.host.member(id)?.address ?? this.host.connection(id)?.remoteAddress;
      return address ? { id, address } : undefined;
    };
    if (this.host.connection(dest)) return [contact(dest)!];
    const connected = [...this.host.connectedIds()];
    // Never back to the source or a node that already forwarded it.
    const visited = new Set([env.src, ...(env.path ?? [])]);
    const out = rankNextHops(self, dest, connected, visited, MAX_TRIES).map(contact);
    if (this.o.dialOnDemand && out.length < MAX_TRIES) {
      const have = new Set(out.map((c) => c?.id));
      const closer = rankNextHops(
        self,
        dest,
        this.routing.table.closest(dest).map((c) => c.id),
        visited,
      );
      for (const id of closer)
        if (!have.has(id) && out.length < MAX_TRIES) out.push(this.routing.table.get(id));
      // Membership knows the destination even when its bucket had no room for it.
      if (out.length < MAX_TRIES && !have.has(dest) && !closer.includes(dest)) {
        const m = this.host.member(dest);
        if (m?.alive) out.push({ id: dest, address: m.address });
      }
    }
    if (out.length === 0 && env.path) {
      const detour = nextHop(self, dest, connected, visited, { detour: true });
      if (detour) out.push(contact(detour));
    }
    return out.filter((c): c is Contact => c !== undefined);
  }
}

function receipt(reply: Reply): RouteReceipt {
  if (reply && typeof reply === 'object' && 'ok' in reply && Number.isInteger(reply.h)) {
    return { hops: reply.h, ...(Array.isArray(reply.p) ? { path: reply.p } : {}), ...withResult(reply.r) };
  }
  const e = (reply as { err?: { code?: unknown; message?: unknown; rc?: unknown } })?.err;
  if (!e || typeof e.code !== 'string') throw new MaculaError('BAD_REPLY', 'malformed ROUTE reply');
  const rc = typeof e.rc === 'string' ? e.rc : undefined;
  throw remoteError(e.code, typeof e.message === 'string' ? e.message : e.code, rc);
}

/** How an error travels back to a sender: its code, message and the remote handler's code. */
export function errorReply(err: unknown): { code: string; message: string; rc?: string } {
  const code = err instanceof MaculaError ? err.code : 'ERROR';
  const rc = (err as { remoteCode?: unknown }).remoteCode;
  const message = err instanceof Error ? err.message.slice(0, 500) : String(err);
  return { code, message, ...(typeof rc === 'string' ? { rc: rc.slice(0, 64) } : {}) };
}

function withResult(r: unknown): { result?: unknown } {
  return r === undefined ? {} : { result: r };
}

const MAILBOX_CODES = new Set([
  'INVALID_NAME',
  'ALREADY_REGISTERED',
  'NO_MAILBOX',
  'MAILBOX_FULL',
  'HANDLER_FAILED',
]);
const ROUTING_CODES = new Set([
  'INVALID_ID',
  'INVALID_ENVELOPE',
  'LOOKUP_FAILED',
  'HOP_LIMIT',
  'LOOP',
  'NO_ROUTE',
]);

const RPC_CODES = new Set(['INVALID_PROCEDURE', 'UNKNOWN_PROCEDURE', 'REMOTE_ERROR', 'OVERLOADED']);

/** The typed error a downstream node reported (marked `remote` so it is not retried). */
export function remoteError(code: string, message: string, remoteCode?: string): MaculaError {
  const err = RPC_CODES.has(code)
    ? new RpcError(code as never, message, remoteCode ? { remoteCode } : {})
    : MAILBOX_CODES.has(code)
      ? new MailboxError(code as never, message)
      : ROUTING_CODES.has(code)
        ? new RoutingError(code as never, message)
        : new MaculaError(code, message);
  Object.defineProperty(err, 'remote', { value: true });
  return err;
}

/** A downstream verdict (not a transport failure of the hop we tried). */
function isFinal(err: unknown): boolean {
  return (err as { remote?: boolean })?.remote === true || (err as Error)?.name === 'AbortError';
}

function parseRoute(payload: unknown): { e: RouteEnvelope; k: string; b: unknown } {
  const p = payload as { e?: unknown; k?: unknown; b?: unknown } | null;
  if (
    !p ||
    typeof p !== 'object' ||
    typeof p.k !== 'string' ||
    p.k.length > 64 ||
    !p.e ||
    typeof p.e !== 'object'
  ) {
    throw new RoutingError('INVALID_ENVELOPE', 'A ROUTE frame is { e: envelope, k: kind, b: body }');
  }
  const e = p.e as RouteEnvelope;
  if (!isNodeIdHex(e.src) || !isNodeIdHex(e.dest))
    throw new RoutingError('INVALID_ID', 'Bad source or destination id');
  return { e, k: p.k, b: p.b };
}
