import type { Random } from '../runtime/index.js';
import type { MemberRecord, MemberTable } from './member-table.js';

/**
 * Members declared dead lately, oldest first and bounded. For a while after a verdict the
 * node keeps pinging such members with it (memberlist's "gossip to the dead"): one that
 * was only stalled, or cut off by a short partition, refutes within a probe period or two
 * instead of waiting for the next partition-healing push-pull.
 */
export class RecentDeaths {
  private list: Array<{ id: string; at: number }> = [];

  constructor(private readonly cap = 256) {}

  add(id: string, at: number): void {
    this.list.push({ id, at });
    if (this.list.length > this.cap) this.list.shift();
  }

  /** A random member declared dead at or after `since` and still dead in `table`. */
  pick(table: MemberTable, since: number, random: Random): MemberRecord | undefined {
    this.list = this.list.filter((d) => d.at >= since && table.get(d.id)?.state === 'dead');
    const d = this.list.length > 0 ? this.list[random.int(this.list.length)] : undefined;
    return d && table.get(d.id);
  }
}
