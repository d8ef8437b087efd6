import type { Clock, TimerHandle } from '../../runtime/index.js';
import type { Frame } from './packets.js';

/**
 * Whether the peer is still there, and how far: the idle timeout, keep-alive pings and
 * their pongs (which measure the round-trip time). One timer per connection: receiving
 * a packet only stamps a time ({@link touch}); the timer re-arms itself when it fires,
 * so busy connections do not churn timers.
 */
export class Liveness {
  /** Smoothed round-trip time, ms (0 until measured). */
  rttMs = 0;
  private lastRecv: number;
  private lastSent: number;
  private lastPing = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | undefined;
  /** When the armed timer fires. */
  private armedAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private idleMs: number,
    private keepAliveMs: number,
    private readonly owner: { idleTimeout(): void },
    private readonly io: { sendUnreliable(f: Frame): void },
  ) {
    this.lastRecv = clock.now();
    this.lastSent = this.lastRecv;
    this.arm(this.nextWake(this.lastRecv) - this.lastRecv);
  }

  /** A packet arrived. */
  touch(): void {
    this.lastRecv = this.clock.now();
  }

  /** We sent something the peer should answer (data, datagram): if it never does, probe it. */
  sent(): void {
    this.lastSent = this.clock.now();
  }

  /** A keep-alive ping arrived: answer it. */
  pinged(sentAt: number): void {
    this.io.sendUnreliable({ t: 'pong', sentAt });
  }

  /** Something we sent at `sentAt` was answered now (a pong, a handshake reply). */
  rttSample(sentAt: number): void {
    const sample = this.clock.now() - sentAt;
    this.rttMs = this.rttMs === 0 ? sample : 0.875 * this.rttMs + 0.125 * sample;
  }

  /** Changes the timeouts (after the handshake negotiated them). */
  configure(idleMs: number, keepAliveMs: number): void {
    this.idleMs = idleMs;
    this.keepAliveMs = keepAliveMs;
    const now = this.clock.now();
    // A timer firing later than needed would be late; one firing early just re-arms itself.
    const next = this.nextWake(now);
    if (next < this.armedAt) this.arm(next - now);
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    // The same sum nextWake() aims at: a difference can round below it and re-arm at 0 ms forever.
    if (now >= this.lastRecv + this.idleMs) {
      this.owner.idleTimeout();
      return;
    }
    if (now >= this.pingDue()) {
      this.lastPing = now;
      this.io.sendUnreliable({ t: 'ping', sentAt: now });
    }
    this.arm(this.nextWake(now) - now);
  };

  /**
   * When to ping: every keepAliveMs of silence; and, with keep-alives off, a third of the
   * idle timeout after unanswered sends (QUIC's ACKs would keep the sender alive there).
   */
  private pingDue(): number {
    const since = Math.max(this.lastRecv, this.lastPing);
    if (this.keepAliveMs > 0) return since + this.keepAliveMs;
    if (this.lastSent > this.lastRecv) return since + this.idleMs / 3;
    return Number.POSITIVE_INFINITY;
  }

  private nextWake(now: number): number {
    // With keep-alives off, also look every third of the timeout for unanswered sends.
    const check = this.keepAliveMs > 0 ? Number.POSITIVE_INFINITY : now + this.idleMs / 3;
    return Math.max(now, Math.min(this.lastRecv + this.idleMs, this.pingDue(), check));
  }

  private arm(ms: number): void {
    this.stop();
    if (!Number.isFinite(ms)) return; // nothing to watch (a client still dialing)
    this.armedAt = this.clock.now() + Math.max(0, ms);
    this.timer = this.clock.setTimeout(this.fire, Math.max(0, ms));
  }
}
