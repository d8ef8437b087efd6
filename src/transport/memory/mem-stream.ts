import { BaseStream } from '../base-stream.js';

/** A BaseStream plus the flow-control offsets the in-memory driver keeps for it. */
export class MemStream extends BaseStream {
  /** Bytes we have sent. */
  sendOffset = 0;
  /** Offset the peer lets us send up to. */
  sendMax = 0;
  /** Bytes we have received. */
  recvOffset = 0;
  /** Offset we last let the peer send up to. */
  recvMax = 0;
  finReceived = false;
  /** Listed in the driver's queue of streams to drain. */
  queuedWrite = false;
  /** Listed in the driver's queue of credit updates to send. */
  queuedCredit = false;
}

/** QUIC stream id: two low bits say initiator (bit 0: server) and direction (bit 1: unidirectional). */
export function streamId(index: number, uni: boolean, role: 'client' | 'server'): number {
  return index * 4 + (uni ? 2 : 0) + (role === 'server' ? 1 : 0);
}
