import type { Swim } from '../membership/index.js';
import type { Clock } from '../runtime/index.js';

/** One thing one node learned about another, when. */
export interface Observation {
  at: number;
  observer: string;
  subject: string;
  event: 'join' | 'suspect' | 'dead' | 'leave' | 'alive';
  /** The subject was running when the observer declared it dead or suspect. */
  falsePositive: boolean;
}

/**
 * Timestamps membership events across a simulation. Only events about `tracked`
 * subjects are stored (a 10,000-node run would otherwise keep 10^8 of them); false
 * positives (a running node declared dead) are counted for every subject.
 */
export class Recorder {
  readonly observations: Observation[] = [];
  readonly tracked = new Set<string>();
  /** Running, healthy nodes declared dead (the figure that must stay 0). */
  falsePositives = 0;
  falseSuspicions = 0;
  /** Verdicts about nodes the scenario degraded (slow): reported apart, they are not healthy. */
  degradedVerdicts = 0;
  readonly degraded = new Set<string>();
  /** Called with every observation, stored or not (measurements that keep only what they need). */
  readonly taps = new Set<(o: Observation) => void>();
  /** Who declared healthy nodes dead, by observer id (to tell a slow accuser from a slow accused). */
  readonly accusers = new Map<string, number>();
  private readonly killedAt = new Map<string, number>();
  /** Nodes killed at least once: a late verdict on their old life is no false positive. */
  private readonly everKilled = new Set<string>();
  private readonly startedAt = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly isUp: (id: string) => boolean,
  ) {}

  track(id: string): void {
    this.tracked.add(id);
  }

  killed(id: string): void {
    this.killedAt.set(id, this.clock.now());
    this.everKilled.add(id);
  }

  started(id: string): void {
    this.startedAt.set(id, this.clock.now());
    this.killedAt.delete(id);
  }

  killTime(id: string): number | undefined {
    return this.killedAt.get(id);
  }

  startTime(id: string): number | undefined {
    return this.startedAt.get(id);
  }

  watch(observer: string, swim: Swim): void {
    const rec = (event: Observation['event']) => (m: { id: string }) => {
      let fp = (event === 'dead' || event === 'suspect') && !this.everKilled.has(m.id) && this.isUp(m.id);
      if (fp && this.degraded.has(m.id)) {
        if (event === 'dead') this.degradedVerdicts++;
        fp = false;
      }
      if (fp && event === 'dead') {
        this.falsePositives++;
        this.accusers.set(observer, (this.accusers.get(observer) ?? 0) + 1);
      }
      if (fp && event === 'suspect') this.falseSuspicions++;
      const keep = this.tracked.has(m.id) || (fp && event === 'dead');
      if (!keep && this.taps.size === 0) return;
      const o: Observation = { at: this.clock.now(), observer, subject: m.id, event, falsePositive: fp };
      if (keep) this.observations.push(o);
      for (const tap of this.taps) tap(o);
    };
    swim.on('member:join', rec('join'));
    swim.on('member:suspect', rec('suspect'));
    swim.on('member:dead', rec('dead'));
    swim.on('member:leave', rec('leave'));
    swim.on('member:alive', rec('alive'));
  }
}
