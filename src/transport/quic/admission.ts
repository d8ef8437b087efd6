import type { Clock } from '../../runtime/index.js';

export interface AdmissionLimits {
  /** New handshakes one source IP may start per second (token refill rate). */
  perIpRate: number;
  /** Burst of new handshakes one source IP may start at once. */
  perIpBurst: number;
  /** Handshakes in progress at once, all sources together. */
  maxHalfOpen: number;
  /** Source IPs tracked before the table is reset (bounds memory under spoofed floods). */
  maxTrackedIps: number;
}

export const DEFAULT_ADMISSION: AdmissionLimits = {
  perIpRate: 50,
  perIpBurst: 100,
  maxHalfOpen: 256,
  maxTrackedIps: 10_000,
};

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Decides whether a new Initial may create connection state. A token bucket per source
 * IP stops one address from flooding; a cap on half-open handshakes bounds memory when
 * the flood comes from many (spoofed) addresses.
 */
export class Admission {
  private buckets = new Map<string, Bucket>();
  halfOpen = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limits: AdmissionLimits = DEFAULT_ADMISSION,
  ) {}

  /** 'ok', or why the handshake is refused. */
  check(ip: string): 'ok' | 'rateLimited' | 'overCapacity' {
    if (this.halfOpen >= this.limits.maxHalfOpen) return 'overCapacity';
    const now = this.clock.now();
    let b = this.buckets.get(ip);
    if (!b) {
      if (this.buckets.size >= this.limits.maxTrackedIps) this.buckets.clear();
      b = { tokens: this.limits.perIpBurst, at: now };
      this.buckets.set(ip, b);
    }
    b.tokens = Math.min(this.limits.perIpBurst, b.tokens + ((now - b.at) / 1000) * this.limits.perIpRate);
    b.at = now;
    if (b.tokens < 1) return 'rateLimited';
    b.tokens -= 1;
    return 'ok';
  }
}
