// The endpoint's connection-id table: which connection each connection id belongs to
// (the per-packet routing lookup) and which ids each connection holds.

import type { QuicConnection } from './connection.js';

/** Length of the connection ids we issue; short-header packets carry no length, so it is fixed. */
export const CID_LEN = 20;

/** Connection ids are map keys as latin1 strings: cheap to build from a packet slice. */
export const cidKey = (cid: Uint8Array): string =>
  Buffer.from(cid.buffer, cid.byteOffset, cid.byteLength).toString('latin1');

export class CidRegistry {
  /** Connection id key → connection. The packet router reads this map directly (one lookup per packet). */
  readonly byCid = new Map<string, QuicConnection>();
  private readonly cids = new Map<QuicConnection, string[]>();

  /** How many connections hold ids, open or not. */
  get size(): number {
    return this.cids.size;
  }

  /** Every connection that holds ids, open or not. */
  connections(): IterableIterator<QuicConnection> {
    return this.cids.keys();
  }

  register(c: QuicConnection, keys: string[]): void {
    this.cids.set(c, keys);
    for (const k of keys) this.byCid.set(k, c);
  }

  forget(c: QuicConnection): void {
    for (const k of this.cids.get(c) ?? []) if (this.byCid.get(k) === c) this.byCid.delete(k);
    this.cids.delete(c);
  }
}
