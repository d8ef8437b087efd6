import type { Swim } from '../membership/index.js';

interface Watch {
  active: boolean;
  /** Subjects this observer holds as suspect (not counted as alive). */
  readonly suspects: Set<string>;
}

/**
 * For each subject, how many active observers (running, not leaving) see it alive,
 * kept up to date from membership events. Convergence is then an O(N) check of counts
 * instead of walking every node's whole table (O(N²), which dominated large runs).
 */
export class AliveIndex {
  private readonly seenBy = new Map<string, number>();
  private readonly watches = new Map<Swim, Watch>();

  /** Starts counting what `swim` believes (call before it learns anything). */
  watch(swim: Swim): void {
    const w: Watch = { active: true, suspects: new Set() };
    this.watches.set(swim, w);
    const up = (id: string) => this.seenBy.set(id, (this.seenBy.get(id) ?? 0) + 1);
    const down = (id: string) => this.seenBy.set(id, (this.seenBy.get(id) ?? 0) - 1);
    swim.on('member:join', (m) => w.active && up(m.id));
    swim.on('member:alive', (m) => {
      if (!w.active) return;
      w.suspects.delete(m.id);
      up(m.id);
    });
    swim.on('member:suspect', (m) => {
      if (!w.active) return;
      w.suspects.add(m.id);
      down(m.id);
    });
    const gone = (m: { id: string }) => {
      if (!w.active) return;
      // From suspect the count already dropped.
      if (!w.suspects.delete(m.id)) down(m.id);
    };
    swim.on('member:dead', gone);
    swim.on('member:leave', gone);
  }

  /** `swim` stops counting (crash or leave): its views are withdrawn. */
  unwatch(swim: Swim): void {
    const w = this.watches.get(swim);
    if (!w?.active) return;
    w.active = false;
    this.watches.delete(swim);
    for (const m of swim.aliveOthers()) this.seenBy.set(m.id, (this.seenBy.get(m.id) ?? 0) - 1);
  }

  /** Every one of `ids` now sees every other alive (a converged start without events). */
  assumeConverged(ids: readonly string[]): void {
    for (const id of ids) this.seenBy.set(id, ids.length - 1);
  }

  /** Active observers that see `id` alive. */
  aliveAt(id: string): number {
    return this.seenBy.get(id) ?? 0;
  }
}
