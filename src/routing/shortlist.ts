import { compareDistance, type IdKey, idKey } from './id.js';
import type { Contact } from './types.js';

/** Where a lookup stands with one peer. `failed` may still turn `answered` on a late reply. */
export type CandidateState = 'new' | 'pending' | 'answered' | 'failed';

/** A peer a lookup knows of; `hop` = responses on the chain that revealed it (0 = our table). */
export interface Candidate extends IdKey {
  readonly contact: Contact;
  hop: number;
  state: CandidateState;
}

/**
 * A lookup's candidates sorted by distance to the target. Bounded: beyond `cap`
 * entries the farthest not-yet-queried ones are dropped (they could only matter if
 * `cap - k` closer peers all failed).
 */
export class Shortlist {
  private readonly list: Candidate[] = [];
  private readonly known = new Map<string, Candidate>();

  constructor(
    private readonly target: IdKey,
    private readonly k: number,
    private readonly cap: number,
  ) {}

  /** Adds a peer (or shortens the path to a known one). False when already known or too far. */
  add(contact: Contact, hop: number): boolean {
    const had = this.known.get(contact.id);
    if (had) {
      if (had.state === 'new' && hop < had.hop) had.hop = hop;
      return false;
    }
    const key = idKey(contact.id);
    const c: Candidate = { id: key.id, w0: key.w0, w1: key.w1, contact, hop, state: 'new' };
    this.known.set(c.id, c);
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareDistance(this.list[mid]!, c, this.target) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= this.cap) return false;
    this.list.splice(lo, 0, c);
    if (this.list.length > this.cap) {
      for (let i = this.list.length - 1; i >= this.k; i--) {
        if (this.list[i]!.state !== 'new') continue;
        this.list.splice(i, 1);
        break;
      }
    }
    return true;
  }

  /** The closest not-yet-queried peer among the k closest that have not failed. */
  next(): Candidate | undefined {
    let n = 0;
    for (const c of this.list) {
      if (c.state === 'failed') continue;
      if (c.state === 'new') return c;
      if (++n >= this.k) return undefined;
    }
    return undefined;
  }

  /** True once the k closest peers that have not failed have all answered. */
  done(): boolean {
    let n = 0;
    for (const c of this.list) {
      if (c.state === 'failed') continue;
      if (c.state !== 'answered') return false;
      if (++n >= this.k) return true;
    }
    return true;
  }

  /** Up to k peers that answered, closest first. */
  answered(): Candidate[] {
    const out: Candidate[] = [];
    for (const c of this.list) {
      if (out.length >= this.k) break;
      if (c.state === 'answered') out.push(c);
    }
    return out;
  }
}
