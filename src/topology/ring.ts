import { InvalidNodeIdError } from '../core/index.js';

const ID_RE = /^[0-9a-f]{64}$/;

/** Whether `id` is a node id the ring accepts: 64 lowercase hex characters. */
export function isRingId(id: string): boolean {
  return typeof id === 'string' && ID_RE.test(id);
}

function checkId(id: string): void {
  if (!isRingId(id)) throw new InvalidNodeIdError(`A ring id is 64 lowercase hex characters, got ${id}`);
}

/** Index of the first element of `sorted` that is >= `x` (`sorted.length` when none is). */
function lowerBound(sorted: readonly string[], x: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The consistent-hash ring: node ids sorted as big-endian 256-bit numbers. Ids are
 * lowercase hex of equal length, so plain string order is numeric order (no BigInt).
 * Build it once and update it with {@link add}/{@link remove} (O(N) each, a splice);
 * queries are a binary search, O(log N + k).
 */
export class Ring {
  private readonly ids: string[];

  /** @throws InvalidNodeIdError when an id is not 64 lowercase hex characters. */
  constructor(members: Iterable<string> = []) {
    const set = new Set(members);
    for (const id of set) checkId(id);
    this.ids = [...set].sort();
  }

  /** Number of members. */
  get size(): number {
    return this.ids.length;
  }

  /** The members in ring order. A live view: do not mutate it, and copy it to keep it. */
  members(): readonly string[] {
    return this.ids;
  }

  /** Whether `id` is on the ring. */
  has(id: string): boolean {
    return this.ids[lowerBound(this.ids, id)] === id;
  }

  /** Inserts `id`; false when it was already there. @throws InvalidNodeIdError */
  add(id: string): boolean {
    checkId(id);
    const i = lowerBound(this.ids, id);
    if (this.ids[i] === id) return false;
    this.ids.splice(i, 0, id);
    return true;
  }

  /** Removes `id`; false when it was not there. */
  remove(id: string): boolean {
    const i = lowerBound(this.ids, id);
    if (this.ids[i] !== id) return false;
    this.ids.splice(i, 1);
    return true;
  }

  /** The first member at or clockwise after `position` (a 64-hex ring position); undefined when empty. */
  successor(position: string): string | undefined {
    if (this.ids.length === 0) return undefined;
    return this.ids[lowerBound(this.ids, position) % this.ids.length];
  }

  /** The last member strictly counter-clockwise before `position`; undefined when empty. */
  predecessor(position: string): string | undefined {
    const n = this.ids.length;
    if (n === 0) return undefined;
    return this.ids[(lowerBound(this.ids, position) - 1 + n) % n];
  }

  /**
   * The ring neighbours of `self` (which need not be a member): the ceil(k/2) nearest
   * successors, then the floor(k/2) nearest predecessors, nearest first. With k or fewer
   * other members, all of them, clockwise from `self`. Never includes `self`; no duplicates.
   * For even k the relation is symmetric: B is A's neighbour iff A is B's.
   */
  neighbours(self: string, k: number): string[] {
    checkId(self);
    const ids = this.ids;
    const n = ids.length;
    const i = lowerBound(ids, self);
    const present = ids[i] === self;
    const others = present ? n - 1 : n;
    if (others === 0 || k <= 0) return [];
    const first = present ? i + 1 : i;
    const out: string[] = [];
    if (others <= k) {
      for (let j = 0; j < others; j++) out.push(ids[(first + j) % n]!);
      return out;
    }
    // others > k, so the successor and predecessor runs cannot overlap.
    for (let j = 0; j < Math.ceil(k / 2); j++) out.push(ids[(first + j) % n]!);
    for (let j = 0; j < Math.floor(k / 2); j++) out.push(ids[(((i - 1 - j) % n) + n) % n]!);
    return out;
  }
}

/**
 * The ring neighbours of `self` among `members` (see {@link Ring.neighbours}). Sorts on
 * every call, O(N log N): build a {@link Ring} once when querying repeatedly.
 * @throws InvalidNodeIdError when an id is not 64 lowercase hex characters.
 */
export function ringNeighbours(self: string, members: readonly string[], k: number): string[] {
  return new Ring(members).neighbours(self, k);
}
