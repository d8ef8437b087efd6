/**
 * Request/reply on the persistent peer channels: each request is one `REQUEST` frame on
 * our channel to the peer, each answer one `REPLY`/`REPLY_ERROR` frame on its channel to
 * us. No QUIC stream, AbortController or timer per request: a stream per exchange cost
 * more CPU than the small requests it carried (routing lookups, DHT reads, routed hops).
 */
import { MaculaError } from '../core/index.js';
import { FrameType } from '../protocol/index.js';
import { type AbortOptions, ChurnMap, type Clock, DeadlineQueue, toAbortError } from '../runtime/index.js';
import { type Connection, ConnectionClosedError } from '../transport/index.js';
import type { PeerChannels } from './channels.js';
import { RequestServer } from './request-serve.js';
import { CallScope, PendingAnswer } from './rpc-scope.js';
import type { RequestHandler } from './streams.js';

/** Options of {@link ChannelRequests}. */
export interface ChannelRequestsOptions {
  clock: Clock;
  /** The connection a reply goes back on. */
  connection: (peerId: string) => Connection | undefined;
  /** The handler of requests of a frame type (the stream router's table). */
  handlerOf: (type: number) => RequestHandler | undefined;
  /** Default deadline of a request, and of serving one (ms). */
  timeoutMs: number;
  /**
   * Requests out to one peer at once (more wait their turn here), and served for one peer
   * at once (more are refused with `BUSY`: a peer that ignores the bound). Default 256.
   */
  maxPerPeer?: number;
}

/** A request waiting for its answer; given up when its scope is (deadline, caller's signal). */
class Pending extends PendingAnswer {
  /** Set while the request waits its turn to be sent (see `maxPerPeer`). */
  frame: Uint8Array | undefined;
  constructor(
    peer: string,
    private readonly owner: ChannelRequests,
    id: number,
    readonly scope: CallScope,
    res: (v: unknown) => void,
    rej: (e: unknown) => void,
  ) {
    super(peer, id, res, rej);
  }

  protected settle(): boolean {
    if (!this.owner.forget(this)) return false;
    this.scope.dispose();
    return true;
  }
}

/**
 * Frames: `REQUEST [id, type, payload]` → `REPLY [id, value]` or `REPLY_ERROR [id, code,
 * message]`. The inner `type` picks the same handler a stream request of that type gets.
 * At most `maxPerPeer` requests are out to a peer, or served for it, at once; a request not answered
 * within `timeoutMs` is answered with `TIMEOUT`.
 */
export class ChannelRequests {
  private readonly pending = new ChurnMap<number, Pending>();
  private readonly deadlines: DeadlineQueue;
  private readonly maxPerPeer: number;
  /** Requests out per peer, and those waiting their turn. */
  private readonly asking = new ChurnMap<string, number>();
  private readonly queued = new ChurnMap<string, Pending[]>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly channels: PeerChannels,
    private readonly o: ChannelRequestsOptions,
  ) {
    this.deadlines = new DeadlineQueue(o.clock);
    this.maxPerPeer = o.maxPerPeer ?? 256;
    const server = new RequestServer({
      channels,
      deadlines: this.deadlines,
      connection: o.connection,
      handlerOf: o.handlerOf,
      timeoutMs: o.timeoutMs,
      maxPerPeer: this.maxPerPeer,
    });
    channels.handle(FrameType.REQUEST, (p, peer) => server.serve(p, peer));
    channels.handle(FrameType.REPLY, (p, peer) => this.onReply(p, peer));
    channels.handle(FrameType.REPLY_ERROR, (p, peer) => this.onError(p, peer));
    // Frames still queued on a closed channel are lost: their requests fail now, not at the deadline.
    channels.on('closed', (e) => {
      if (e.direction === 'out') this.peerGone(e.peerId, e.reason, e.cause);
    });
  }

  /** Requests waiting for an answer. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Sends one request to `peer` over `conn`; resolves with the handler's answer there. */
  request(
    conn: Connection,
    peer: string,
    type: number,
    payload: unknown,
    opts: AbortOptions = {},
  ): Promise<unknown> {
    if (this.closed) return Promise.reject(new MaculaError('NOT_RUNNING', 'The node stopped'));
    if (opts.signal?.aborted) return Promise.reject(toAbortError(opts.signal.reason));
    const id = this.nextId;
    this.nextId = id >= 0x7fffffff ? 1 : id + 1;
    let frame: Uint8Array;
    try {
      frame = this.channels.encode(FrameType.REQUEST, [id, type, payload]);
    } catch (e) {
      return Promise.reject(e);
    }
    // The deadline sits in the shared queue; an AbortSignal is made only if a send must wait.
    const scope = new CallScope(this.deadlines, opts.timeoutMs ?? this.o.timeoutMs, 'request', opts.signal);
    return new Promise((resolve, reject) => {
      const p = new Pending(peer, this, id, scope, resolve, reject);
      const busy = this.asking.get(peer) ?? 0;
      if (busy < this.maxPerPeer) {
        // Sent before it is registered: a send that replaces the peer's channel fails the
        // requests queued on the old one (see the constructor), not this one.
        try {
          this.transmit(conn, p, frame);
        } catch (err) {
          scope.dispose();
          reject(err); // the channels are closed
          return;
        }
        this.asking.set(peer, busy + 1);
      } else {
        // As many out as the peer serves at once: this one waits its turn here, within its deadline.
        p.frame = frame;
        const q = this.queued.get(peer);
        if (q) q.push(p);
        else this.queued.set(peer, [p]);
      }
      this.pending.set(id, p);
      scope.watch(p.giveUp);
    });
  }

  /** @internal Removes `p` if it is still waiting; false when it already settled. */
  forget(p: Pending): boolean {
    if (this.pending.get(p.id) !== p) return false;
    this.pending.delete(p.id);
    if (p.frame === undefined) this.next(p.peer); // it was out: its slot goes to the next in line
    return true;
  }

  private transmit(conn: Connection, p: Pending, frame: Uint8Array): void {
    if (!this.channels.offer(conn, p.peer, frame))
      this.channels
        .sendFrame(conn, p.peer, frame, { signal: p.scope.signal })
        .catch((err: unknown) => p.reject(err));
  }

  /** A request to `peer` ended: the first one waiting (if any) goes out in its place. */
  private next(peer: string): void {
    if (this.closed) return; // close() fails the rest
    const q = this.queued.get(peer);
    for (let p = q?.shift(); p !== undefined; p = q!.shift()) {
      if (this.pending.get(p.id) !== p) continue; // given up while it waited
      const frame = p.frame!;
      p.frame = undefined;
      if (q!.length === 0) this.queued.delete(peer);
      const conn = this.o.connection(peer);
      if (!conn) {
        p.reject(new MaculaError('NOT_CONNECTED', `No connection to ${peer.slice(0, 8)}`));
        return; // its own ending moves the line on
      }
      try {
        this.transmit(conn, p, frame);
      } catch (err) {
        p.reject(err);
      }
      return;
    }
    this.queued.delete(peer);
    const left = (this.asking.get(peer) ?? 1) - 1;
    if (left > 0) this.asking.set(peer, left);
    else this.asking.delete(peer);
  }

  /**
   * The peer (or our channel to it) went away: its requests fail at once. When the
   * connection closed under them, they fail with its ConnectionClosedError, as a stream
   * request did: its `closeCode` tells a caller that lost a simultaneous dial to retry on
   * the connection that was kept (see Router).
   */
  peerGone(peer: string, why = 'the connection closed', cause?: unknown): void {
    const err =
      cause instanceof ConnectionClosedError
        ? cause
        : new MaculaError('NOT_CONNECTED', `No answer from ${peer.slice(0, 8)}: ${why}`, { cause });
    for (const p of this.pending.values()) if (p.peer === peer) p.reject(err);
  }

  /** Node stop: every waiting request fails with `NOT_RUNNING`. */
  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new MaculaError('NOT_RUNNING', 'The node stopped'));
    this.deadlines.clear();
  }

  private onReply(raw: unknown, peer: string): void {
    const p = this.mine(raw, peer);
    if (p) p.resolve((raw as unknown[])[1]);
  }

  private onError(raw: unknown, peer: string): void {
    const p = this.mine(raw, peer);
    if (!p) return;
    const r = raw as unknown[];
    const code = typeof r[1] === 'string' ? r[1].slice(0, 64) : 'ERROR';
    const message = typeof r[2] === 'string' ? r[2] : code;
    p.reject(new RequestFailedError(peer, code, message));
  }

  /** The request an answer is for, when it is ours and still waiting (late ones are dropped). */
  private mine(raw: unknown, peer: string): Pending | undefined {
    if (!Array.isArray(raw) || typeof raw[0] !== 'number') return undefined;
    const p = this.pending.get(raw[0]);
    return p?.peer === peer ? p : undefined;
  }
}

/**
 * The peer could not answer a request (no handler, busy, its handler failed or ran out of
 * time). Code `REQUEST_FAILED`; `remoteCode` is the peer's reason.
 */
export class RequestFailedError extends MaculaError {
  constructor(
    peer: string,
    readonly remoteCode: string,
    message: string,
  ) {
    super('REQUEST_FAILED', `${peer.slice(0, 8)} could not answer (${remoteCode}): ${message}`);
  }
}
