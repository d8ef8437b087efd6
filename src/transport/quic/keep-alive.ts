// Keep-alive of an open connection: every `keepAliveMs`, when nothing arrived from the
// peer for 90% of that interval, queue an ack-eliciting packet so the peer answers.

import type { TimerHandle } from '../../runtime/index.js';
import type { QuicConnection } from './connection.js';
import type { EndpointLink } from './endpoint-link.js';

export class KeepAlive {
  private timer: TimerHandle | undefined;

  /** Starts ticking at once; stops by itself when the connection is no longer open. */
  constructor(
    private readonly ep: EndpointLink,
    private readonly c: QuicConnection,
    private readonly everyMs: number,
  ) {
    this.timer = ep.clock.setTimeout(this.tick, everyMs);
  }

  stop(): void {
    if (this.timer !== undefined) this.ep.clock.clearTimeout(this.timer);
  }

  private readonly tick = (): void => {
    if (!this.c.isOpen) return;
    if (this.ep.clock.now() - this.c.lastRecvAt >= this.everyMs * 0.9) {
      this.c.conn.sendAckEliciting();
      this.ep.markDirty(this.c);
    }
    this.timer = this.ep.clock.setTimeout(this.tick, this.everyMs);
  };
}
