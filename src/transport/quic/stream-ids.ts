// Stream id bookkeeping shared by both sides of the stream table: the reserved accept
// stream and the tracker of which peer-opened ids were already seen.

/**
 * The server's first unidirectional stream, finished empty right after it verified the
 * client: the client's proof of acceptance (TLS 1.3 lets a client finish its handshake
 * before the server has checked the client certificate). Never shown to applications.
 */
export const ACCEPT_STREAM = 3;

/** Remote stream ids are opened in order per type; remembers which were already seen. */
export class IdTracker {
  private above = new Set<number>();
  /** The lowest id not seen yet: where a new peer stream most likely shows up. */
  constructor(public next: number) {}
  /** True (and marks it) the first time an id shows up. */
  firstSight(id: number): boolean {
    if (id < this.next || this.above.has(id)) return false;
    if (id !== this.next) {
      this.above.add(id);
      return true;
    }
    this.next += 4;
    while (this.above.delete(this.next)) this.next += 4;
    return true;
  }
}
