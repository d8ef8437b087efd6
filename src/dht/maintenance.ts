import { setMaxListeners } from 'node:events';
import { AbortError } from '../core/index.js';
import type { Contact } from '../routing/index.js';
import type { TimerHandle } from '../runtime/index.js';
import type { DhtContext } from './context.js';
import { Handoffs } from './handoff.js';
import { type OwnedRecord, OwnedRecords } from './owned.js';
import { replicate } from './replicate.js';

/**
 * A Dht's background work, all on the injected clock and all cancelled by `stop()`:
 * owner republish (every ttl/2), the expiry sweep, the replica republish round, and
 * hand-offs to new peers. Tasks are tracked (never floating): errors are logged and
 * `idle()` waits for them.
 */
export class Maintenance {
  readonly owned: OwnedRecords;
  private readonly handoffs: Handoffs;
  private readonly tasks = new Set<Promise<void>>();
  private life: AbortController | undefined;
  private sweepTimer: TimerHandle | undefined;
  private replicaTimer: TimerHandle | undefined;
  private republishing = false;
  private startedAt = 0;

  constructor(private readonly cx: DhtContext) {
    this.owned = new OwnedRecords(cx, (o) => this.republish(o));
    this.handoffs = new Handoffs(cx);
  }

  start(): void {
    if (this.life) return;
    this.life = new AbortController();
    // Every owned record's republish, the replica round and a hand-off may listen at once.
    setMaxListeners(2 * this.cx.limits.maxRecordsPerOwner + 16, this.life.signal);
    this.startedAt = this.cx.clock.now();
    this.owned.start();
    this.scheduleSweep();
    this.scheduleReplicaRound();
  }

  stop(): void {
    const life = this.life;
    if (!life) return;
    this.life = undefined;
    life.abort(new AbortError('DHT stopped'));
    this.owned.stop();
    this.handoffs.clear();
    if (this.sweepTimer) this.cx.clock.clearTimeout(this.sweepTimer);
    if (this.replicaTimer) this.cx.clock.clearTimeout(this.replicaTimer);
    this.sweepTimer = undefined;
    this.replicaTimer = undefined;
  }

  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }

  /**
   * Queues a hand-off to `contact` (not during the grace period after start) and brings
   * this node's own thin records (stored on fewer than `replicas` nodes) to the newcomer:
   * the grace period is for the stored records of others, but this node's own records put
   * while it was alone would otherwise stay on it alone until their republish.
   */
  peerJoined(contact: Contact): void {
    if (!this.life) return;
    this.owned.republishThin(this.cx.replicas);
    if (this.cx.clock.now() - this.startedAt < this.cx.tunables.handoffGraceMs) return;
    if (this.handoffs.enqueue(contact)) this.track(this.handoffs.drain(this.life.signal));
  }

  /** Background work: errors are logged, never unhandled; `idle()` waits for it. */
  private track(p: Promise<unknown>): void {
    const t: Promise<void> = p
      .then(
        () => undefined,
        (err: unknown) => this.cx.logger?.debug({ err }, 'DHT background task failed'),
      )
      .finally(() => this.tasks.delete(t));
    this.tasks.add(t);
  }

  /** An owned record is due: a new version (seq + 1, fresh issuedAt) to the current closest nodes. */
  private republish(o: OwnedRecord): void {
    if (!this.life) return;
    o.record = this.owned.sign(o.key, o.value, o.ttlMs);
    this.owned.schedule(o); // the next one ttl/2 from now, however long this one takes
    const signal = this.life.signal;
    // A failed republish is retried sooner, well before the last version expires.
    const retry = () => this.owned.schedule(o, Math.max(1000, o.ttlMs / 8));
    const counters = this.cx.counters;
    this.track(
      replicate(this.cx, o.key, [o.record], signal).then(
        (out) => {
          o.stored = out.stored;
          if (out.stored > 0) counters.republished++;
          else {
            counters.republishFailures++;
            retry();
          }
        },
        (err: unknown) => {
          if (signal.aborted) return; // stopped: start() re-arms the timer
          counters.republishFailures++;
          retry();
          throw err;
        },
      ),
    );
  }

  private scheduleSweep(): void {
    if (!this.life) return;
    this.sweepTimer = this.cx.clock.setTimeout(() => {
      this.cx.store.sweep();
      this.scheduleSweep();
    }, this.cx.tunables.sweepIntervalMs);
  }

  /** Next replica round after the interval ± 10 % (jitter keeps replicas from republishing in lockstep). */
  private scheduleReplicaRound(): void {
    if (!this.life) return;
    const every = this.cx.tunables.replicaRepublishIntervalMs * (0.9 + 0.2 * this.cx.random.next());
    this.replicaTimer = this.cx.clock.setTimeout(() => {
      if (this.life && !this.republishing) this.track(this.replicaRound(this.life.signal));
      this.scheduleReplicaRound();
    }, every);
  }

  /**
   * Kademlia's hourly republish, with its optimisation: keys some node stored to us
   * within the interval are skipped (that node already refreshed the replicas), so
   * usually one replica per key does the work. At most `maxRepublishKeysPerRound` keys.
   */
  private async replicaRound(signal: AbortSignal): Promise<void> {
    this.republishing = true;
    try {
      const { store, tunables } = this.cx;
      const cutoff = this.cx.wallClock() - tunables.replicaRepublishIntervalMs;
      for (const key of store.untouchedKeys(cutoff, tunables.maxRepublishKeysPerRound)) {
        if (signal.aborted) return;
        const records = store.replicable(key);
        if (records.length === 0) continue;
        await replicate(this.cx, key, records, signal, false);
        store.touch(key);
        this.cx.counters.replicaKeys++;
      }
    } finally {
      this.republishing = false;
    }
  }
}
