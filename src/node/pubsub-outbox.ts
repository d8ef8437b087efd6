/** At-least-once deliveries waiting for their subscriber's acknowledgement. */
import type { OutboxStats } from '../pubsub/index.js';
import { PubSubError } from '../pubsub/index.js';
import { backoffDelay, ChurnMap, type Clock, type Random, type TimerHandle } from '../runtime/index.js';

/** Tunables of the outbox (`NodeOptions.pubsub`). */
export interface OutboxOptions {
  /** Deliveries waiting for an acknowledgement, all subscribers together. Default 65 536. */
  maxPending?: number;
  /** First retry after this long without an acknowledgement (ms). Default 1 000; doubles up to 8 000. */
  retryMs?: number;
  /** Give a delivery up this long after the publish (ms). Default 60 000. */
  expireMs?: number;
}

interface Pending {
  target: string;
  seq: number;
  body: unknown;
  attempt: number;
  due: number;
  until: number;
  done?: (acked: boolean) => void;
}

/** Sends one delivery attempt; the outbox calls it again until `ack` or expiry. */
export type Attempt = (target: string, body: unknown) => void;

/**
 * Retries deliveries until acknowledged, with exponential backoff and jitter, for at most
 * `expireMs`. Bounded: `add` refuses (`OUTBOX_FULL`) rather than grow past `maxPending`.
 * One timer serves every delivery (a sweep while anything is pending).
 */
export class Outbox {
  private readonly pending = new ChurnMap<string, Pending>();
  private readonly counts = { acked: 0, retries: 0, expired: 0, abandoned: 0 };
  private timer: TimerHandle | undefined;
  private readonly maxPending: number;
  private readonly retryMs: number;
  private readonly expireMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly attempt: Attempt,
    o: OutboxOptions = {},
  ) {
    this.maxPending = o.maxPending ?? 65_536;
    this.retryMs = o.retryMs ?? 1_000;
    this.expireMs = o.expireMs ?? 60_000;
  }

  /**
   * Sends `body` to each target now and retries until acknowledged. `done(target, acked)`
   * is told once per target. @throws PubSubError `OUTBOX_FULL` (nothing sent).
   */
  add(targets: string[], seq: number, body: unknown, done?: (target: string, acked: boolean) => void): void {
    if (this.pending.size + targets.length > this.maxPending)
      throw new PubSubError(
        'OUTBOX_FULL',
        `${this.pending.size} at-least-once deliveries are still unacknowledged (limit ${this.maxPending}): slow down`,
      );
    const now = this.clock.now();
    for (const target of targets) {
      const p: Pending = {
        target,
        seq,
        body,
        attempt: 0,
        due: now + this.delay(0),
        until: now + this.expireMs,
      };
      if (done) p.done = (acked) => done(target, acked);
      this.pending.set(key(target, seq), p);
      this.attempt(target, body);
    }
    this.arm();
  }

  /** `target` acknowledged `seq`. */
  ack(target: string, seq: number): void {
    const p = this.pending.get(key(target, seq));
    if (!p) return;
    this.pending.delete(key(target, seq));
    this.counts.acked++;
    p.done?.(true);
  }

  /** `target` left the realm: its deliveries are abandoned. */
  dropTarget(target: string): void {
    for (const [k, p] of this.pending.entries())
      if (p.target === target) {
        this.pending.delete(k);
        this.counts.abandoned++;
        p.done?.(false);
      }
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const p of this.pending.values()) p.done?.(false);
    this.pending.clear();
  }

  stats(): OutboxStats {
    return { pending: this.pending.size, ...this.counts };
  }

  private delay(attempt: number): number {
    return backoffDelay(
      attempt,
      { initialMs: this.retryMs, maxMs: this.retryMs * 8, multiplier: 2, jitter: 0.2 },
      this.random,
    );
  }

  private arm(): void {
    if (this.timer || this.pending.size === 0) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.sweep();
        this.arm();
      },
      Math.max(50, this.retryMs / 4),
    );
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [k, p] of this.pending.entries()) {
      if (now >= p.until) {
        this.pending.delete(k);
        this.counts.expired++;
        p.done?.(false);
      } else if (now >= p.due) {
        p.attempt++;
        p.due = now + this.delay(p.attempt);
        this.counts.retries++;
        this.attempt(p.target, p.body);
      }
    }
  }
}

function key(target: string, seq: number): string {
  return `${seq}@${target}`;
}
