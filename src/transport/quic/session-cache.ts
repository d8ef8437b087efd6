import { dropOldest } from '../../runtime/index.js';
import type { Address } from '../types.js';
import type { QuicConnection } from './connection.js';
import type { QuicheConnection } from './native.js';

/**
 * TLS session tickets per server address, so the next dial resumes (cheaper handshake,
 * early data allowed). Bounded; the oldest entry goes first.
 */
export class SessionCache {
  private readonly tickets = new Map<string, Uint8Array>();
  constructor(private readonly capacity: number) {}

  /** Offers a stored ticket to a new client connection; true if one was applied. */
  apply(qc: QuicheConnection, remote: Address): boolean {
    const t = this.tickets.get(`${remote.host}:${remote.port}`);
    if (!t) return false;
    try {
      qc.setSession(t);
      return true;
    } catch {
      this.tickets.delete(`${remote.host}:${remote.port}`);
      return false;
    }
  }

  /** Keeps the ticket of a client connection that is ending. */
  remember(c: QuicConnection): void {
    if (c.role !== 'client') return;
    const ticket = c.conn.session();
    if (!ticket) return;
    const key = `${c.remoteAddress.host}:${c.remoteAddress.port}`;
    this.tickets.delete(key);
    this.tickets.set(key, new Uint8Array(ticket));
    dropOldest(this.tickets, this.capacity);
  }
}
