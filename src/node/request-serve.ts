/** The answering side of requests on the peer channels (see requests.ts). */
import { TimeoutError } from '../core/index.js';
import { FrameType } from '../protocol/index.js';
import { ChurnMap, type DeadlineQueue, isPromiseLike } from '../runtime/index.js';
import type { Connection } from '../transport/index.js';
import type { PeerChannels } from './channels.js';
import { errorReply } from './router.js';
import type { RequestHandler } from './streams.js';

/** What {@link RequestServer} needs from its owner. */
export interface RequestServerContext {
  readonly channels: PeerChannels;
  readonly deadlines: DeadlineQueue;
  /** The connection an answer goes back on. */
  connection(peerId: string): Connection | undefined;
  /** The handler of requests of a frame type. */
  handlerOf(type: number): RequestHandler | undefined;
  /** How long a handler may take before the asker is answered `TIMEOUT` (ms). */
  readonly timeoutMs: number;
  /** Requests served for one peer at once; more are answered `BUSY`. */
  readonly maxPerPeer: number;
}

/**
 * Runs each `REQUEST [id, type, payload]` through the handler of `type` and answers
 * `REPLY [id, value]` or `REPLY_ERROR [id, code, message]` on the channel back. Handlers
 * run side by side: a slow one holds up neither the channel nor the requests after it.
 */
export class RequestServer {
  private readonly serving = new ChurnMap<string, number>();

  constructor(private readonly cx: RequestServerContext) {}

  /** Serves one REQUEST frame's payload from `peer`. */
  serve(raw: unknown, peer: string): void {
    if (!Array.isArray(raw) || !Number.isSafeInteger(raw[0])) return; // nobody to answer
    const id = raw[0] as number;
    const handler = typeof raw[1] === 'number' ? this.cx.handlerOf(raw[1]) : undefined;
    if (!handler) {
      this.answerError(peer, id, 'NO_HANDLER', `no handler for frame type ${raw[1]}`);
      return;
    }
    const n = this.serving.get(peer) ?? 0;
    if (n >= this.cx.maxPerPeer) {
      this.answerError(peer, id, 'BUSY', `serving ${n} requests for this peer already`);
      return;
    }
    this.serving.set(peer, n + 1);
    let open = true;
    const done = (): boolean => {
      if (!open) return false;
      open = false;
      dl.cancel();
      const left = (this.serving.get(peer) ?? 1) - 1;
      if (left > 0) this.serving.set(peer, left);
      else this.serving.delete(peer);
      return true;
    };
    const fail = (err: unknown) => {
      if (!done()) return;
      const e = errorReply(err);
      this.answerError(peer, id, e.code, e.message);
    };
    const ok = (v: unknown) => {
      if (done()) this.answer(peer, id, v);
    };
    const ms = this.cx.timeoutMs;
    const dl = this.cx.deadlines.add(ms, () => fail(new TimeoutError(`answering took over ${ms} ms`)));
    try {
      const r = handler(raw[2], peer);
      if (isPromiseLike(r)) r.then(ok, fail);
      else ok(r);
    } catch (err) {
      fail(err);
    }
  }

  private answer(peer: string, id: number, value: unknown): void {
    let frame: Uint8Array;
    try {
      frame = this.cx.channels.encode(FrameType.REPLY, [id, value]);
    } catch (err) {
      this.answerError(peer, id, 'BAD_REPLY', `the answer cannot be sent: ${errorReply(err).message}`);
      return;
    }
    this.sendBack(peer, frame);
  }

  private answerError(peer: string, id: number, code: string, message: string): void {
    this.sendBack(peer, this.cx.channels.encode(FrameType.REPLY_ERROR, [id, code, message.slice(0, 400)]));
  }

  private sendBack(peer: string, frame: Uint8Array): void {
    const conn = this.cx.connection(peer);
    if (!conn) return; // the asker is gone: its request fails there
    const { channels } = this.cx;
    try {
      if (!channels.offer(conn, peer, frame)) channels.sendFrame(conn, peer, frame).catch(() => {});
    } catch {
      // The channels closed (node stop): the asker's request fails with its connection.
    }
  }
}
