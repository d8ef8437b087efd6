// A connection's unreliable datagrams (RFC 9221): the size and queue checks on send,
// the bounded receive inbox, and the counters reported in ConnectionStats.

import type { AbortOptions, Clock } from '../../runtime/index.js';
import { TransportUsageError } from '../errors.js';
import { Inbox } from '../inbox.js';
import type { QuicheConnection } from './native.js';

export class DatagramChannel {
  sent = 0;
  received = 0;
  dropped = 0;
  private readonly inbox: Inbox<Uint8Array>;

  constructor(
    private readonly conn: QuicheConnection,
    queueSize: number,
    clock: Clock,
  ) {
    this.inbox = new Inbox(queueSize, clock, 'receiveDatagram');
  }

  /** Queues `data` in quiche; false (counted as dropped) when its send queue is full. */
  send(data: Uint8Array): boolean {
    const max = this.conn.dgramMaxWritableLen() ?? 0;
    if (data.byteLength > max)
      throw new TransportUsageError(`Datagram of ${data.byteLength} bytes exceeds the maximum of ${max}`);
    if (this.conn.isDgramSendQueueFull()) {
      this.dropped++;
      return false;
    }
    this.conn.dgramSend(data);
    this.sent++;
    return true;
  }

  next(opts?: AbortOptions): Promise<Uint8Array> {
    return this.inbox.next(opts);
  }

  subscribe(handler: (d: Uint8Array) => unknown): () => void {
    return this.inbox.subscribe(handler);
  }

  /** After a recv: hands every datagram quiche received to the application. */
  drain(): void {
    for (let d = this.conn.dgramRecvVec(); d !== null; d = this.conn.dgramRecvVec()) {
      this.received++;
      if (!this.inbox.push(new Uint8Array(d))) this.dropped++;
    }
  }

  close(err: Error): void {
    this.inbox.close(err);
  }
}
