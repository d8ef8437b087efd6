import type { Address } from '../transport/index.js';
import { chooseLinks } from './long-range.js';
import { isRingId, Ring } from './ring.js';
import type { LinkRole, TopologyLogger, TopologyMember } from './types.js';

/**
 * What this node wants: the alive members on an incrementally updated {@link Ring}, and
 * the desired peers among them (k ring neighbours, then the long-range links).
 */
export class DesiredLinks {
  private readonly ring = new Ring();
  private addresses = new Map<string, Address>();
  private roles = new Map<string, Exclude<LinkRole, 'extra'>>();
  private ordered: string[] = [];

  constructor(
    private readonly self: string,
    private readonly k: number,
    private readonly longRange: number | undefined,
    private readonly log: TopologyLogger,
  ) {}

  /** Replaces the alive members (self and invalid ids are skipped) and recomputes the desired peers. */
  update(members: ReadonlyArray<TopologyMember>): void {
    const next = new Map<string, Address>();
    for (const m of members) {
      if (m.id === this.self) continue;
      if (isRingId(m.id)) next.set(m.id, m.address);
      else this.log.warn({ id: m.id }, 'topology: ignoring member with an invalid id');
    }
    for (const id of this.addresses.keys()) if (!next.has(id)) this.ring.remove(id);
    for (const id of next.keys()) if (!this.addresses.has(id)) this.ring.add(id);
    this.addresses = next;
    const links = chooseLinks(this.ring, this.self, this.k, this.longRange);
    this.roles = new Map();
    for (const id of links.longRange) this.roles.set(id, 'long-range');
    for (const id of links.ring) this.roles.set(id, 'ring');
    this.ordered = [...links.ring, ...links.longRange];
  }

  /** Desired peers: ring neighbours (nearest first), then long-range links. A live view. */
  list(): readonly string[] {
    return this.ordered;
  }

  /** Whether `id` is a desired peer. */
  has(id: string): boolean {
    return this.roles.has(id);
  }

  /** Why we want `id` (`extra` = we do not). */
  role(id: string): LinkRole {
    return this.roles.get(id) ?? 'extra';
  }

  /** The address of an alive member. */
  address(id: string): Address | undefined {
    return this.addresses.get(id);
  }
}
