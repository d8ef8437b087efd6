/** RPC on the persistent peer channel when caller and provider are connected. */
import { MaculaError } from '../core/index.js';
import { FrameType } from '../protocol/index.js';
import { RpcError } from '../rpc/index.js';
import { ChurnMap, toAbortError } from '../runtime/index.js';
import type { Connection } from '../transport/index.js';
import type { PeerChannels } from './channels.js';
import { errorReply, remoteError } from './router.js';
import { type CallWatch, PendingAnswer } from './rpc-scope.js';

const RESOLVED = Promise.resolve();

/** A call as it travels: id (unique per caller), name, args, deadline left (ms), cast. */
export interface CallBody {
  i: number;
  n: string;
  a: unknown;
  d: number;
  c?: true;
}

/** Runs a call on this node (the provider side); rejects with the error the caller gets. */
export type Serve = (
  name: unknown,
  args: unknown,
  caller: string,
  id: unknown,
  deadlineMs: unknown,
) => Promise<unknown>;

/** A call waiting for its reply; given up when its scope is (deadline, signal, stop). */
class Pending extends PendingAnswer {
  constructor(
    peer: string,
    id: number,
    private readonly table: ChurnMap<number, Pending>,
    private readonly scope: CallWatch,
    res: (v: unknown) => void,
    rej: (e: unknown) => void,
  ) {
    super(peer, id, res, rej);
  }

  protected settle(): boolean {
    if (this.table.get(this.id) !== this) return false;
    this.table.delete(this.id);
    this.scope.watch(undefined);
    return true;
  }
}

/**
 * Calls travel as `RPC_CALL` frames on the channel to the provider and come back as
 * `RPC_RESULT { i, v }` or `RPC_ERROR { i, err }` on the provider's channel to us: no
 * stream per call, and calls in the same tick share a write. Used only over a direct
 * connection; otherwise calls are routed. A provider serves at most `maxServing` calls at
 * once (more are refused with `OVERLOADED`).
 */
export class RpcChannel {
  private readonly pending = new ChurnMap<number, Pending>();

  constructor(
    private readonly channels: PeerChannels,
    private readonly connection: (id: string) => Connection | undefined,
    private readonly serve: Serve,
    private readonly busy: () => boolean,
  ) {
    channels.handle(FrameType.RPC_CALL, (p, peer) => this.onCall(p, peer));
    channels.handle(FrameType.RPC_RESULT, (p, peer) => this.onReply(p, peer, true));
    channels.handle(FrameType.RPC_ERROR, (p, peer) => this.onReply(p, peer, false));
  }

  /**
   * Sends `body` to `peer` over `conn`; resolves with the result (a cast: once sent).
   * Rejects with the scope's reason as soon as the call is given up.
   */
  call(conn: Connection, peer: string, body: CallBody, scope: CallWatch): Promise<unknown> {
    if (scope.reason !== undefined) return Promise.reject(toAbortError(scope.reason));
    // Queued at once when there is room (no AbortSignal made); else the send waits for room.
    const frame = this.channels.encode(FrameType.RPC_CALL, body);
    if (body.c) {
      if (this.channels.offer(conn, peer, frame)) return RESOLVED;
      return this.channels.sendFrame(conn, peer, frame, { signal: scope.signal });
    }
    return new Promise((resolve, reject) => {
      const p = new Pending(peer, body.i, this.pending, scope, resolve, reject);
      this.pending.set(body.i, p);
      scope.watch(p.giveUp);
      try {
        if (this.channels.offer(conn, peer, frame)) return;
        this.channels
          .sendFrame(conn, peer, frame, { signal: scope.signal })
          .catch((err: unknown) => p.reject(err));
      } catch (err) {
        p.reject(err); // the channels are closed
      }
    });
  }

  /** The connection to `peer` went away: its calls in flight fail (the caller fails over). */
  peerGone(peer: string): void {
    for (const p of this.pending.values())
      if (p.peer === peer)
        p.reject(
          new MaculaError('NOT_CONNECTED', `The connection to ${peer.slice(0, 8)} closed during the call`),
        );
  }

  private onCall(raw: unknown, caller: string): void {
    const b = (raw ?? {}) as Partial<CallBody>;
    const id = b.i;
    if (!Number.isSafeInteger(id)) return; // nobody to answer: dropped (the channel counts frames)
    const answer = (type: number, payload: unknown) => {
      const conn = this.connection(caller);
      if (!conn) return; // caller gone: it fails over
      let frame: Uint8Array;
      try {
        frame = this.channels.encode(type, payload);
      } catch (err) {
        // A result MessagePack cannot carry: the caller gets a typed error, not a timeout.
        frame = this.channels.encode(FrameType.RPC_ERROR, { i: id, err: errorReply(unsendable(err)) });
      }
      this.channels.sendFrame(conn, caller, frame).catch(() => {});
    };
    if (this.busy()) {
      if (!b.c) answer(FrameType.RPC_ERROR, { i: id, err: errorReply(overloaded()) });
      return;
    }
    this.serve(b.n, b.a, caller, id, b.d).then(
      (v) => {
        if (!b.c) answer(FrameType.RPC_RESULT, { i: id, v });
      },
      (err: unknown) => {
        if (!b.c) answer(FrameType.RPC_ERROR, { i: id, err: errorReply(err) });
      },
    );
  }

  private onReply(raw: unknown, peer: string, ok: boolean): void {
    const r = (raw ?? {}) as {
      i?: unknown;
      v?: unknown;
      err?: { code?: unknown; message?: unknown; rc?: unknown };
    };
    const p = typeof r.i === 'number' ? this.pending.get(r.i) : undefined;
    if (!p || p.peer !== peer) return; // late (we gave up) or not ours
    if (ok) {
      p.resolve(r.v);
      return;
    }
    const e = r.err;
    const code = typeof e?.code === 'string' ? e.code : 'ERROR';
    const message = typeof e?.message === 'string' ? e.message : code;
    p.reject(remoteError(code, message, typeof e?.rc === 'string' ? e.rc : undefined));
  }
}

/** The error a caller gets when the handler's result cannot be encoded. */
export function unsendable(cause: unknown): RpcError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new RpcError('REMOTE_ERROR', `The result cannot be sent: ${why}`.slice(0, 400), {
    remoteCode: 'BAD_PAYLOAD',
    cause,
  });
}

function overloaded(): RpcError {
  return new RpcError('OVERLOADED', 'The provider is serving as many calls as it allows');
}
