import type { AbortOptions, Clock } from '../../runtime/index.js';
import { type ConnectionClosedError, TransportUsageError } from '../errors.js';
import { Inbox } from '../inbox.js';
import { MAX_DATAGRAM_SIZE } from './packets.js';

/**
 * The datagram side of a connection: unreliable, unordered, copied on send, and
 * queued on receipt up to acceptQueueSize (beyond that dropped and counted, as QUIC
 * stacks drop datagrams the application does not pick up in time).
 */
export class DatagramChannel {
  sent = 0;
  received = 0;
  dropped = 0;
  private readonly inbox: Inbox<Uint8Array>;

  constructor(capacity: number, clock: Clock) {
    this.inbox = new Inbox(capacity, clock, 'receiveDatagram');
  }

  /** Checks and copies an outgoing datagram. */
  prepare(data: Uint8Array): Uint8Array {
    if (data.byteLength > MAX_DATAGRAM_SIZE) {
      throw new TransportUsageError(`datagram of ${data.byteLength} bytes exceeds ${MAX_DATAGRAM_SIZE}`);
    }
    this.sent++;
    return data.slice();
  }

  /** A datagram arrived; `open` is false while the handshake is still running. */
  arrived(data: Uint8Array, open: boolean): void {
    this.received++;
    if (!open || !this.inbox.push(data)) this.dropped++;
  }

  next(opts?: AbortOptions): Promise<Uint8Array> {
    return this.inbox.next(opts);
  }

  subscribe(handler: (data: Uint8Array) => unknown): () => void {
    return this.inbox.subscribe(handler);
  }

  close(err: ConnectionClosedError): void {
    this.inbox.close(err);
  }
}
