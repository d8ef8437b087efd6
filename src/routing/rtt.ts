import { dropOldest } from '../runtime/index.js';

/** Options of an {@link RttTracker}. */
export interface RttOptions {
  /** Timeout for a peer never measured (ms). Default 1000. */
  defaultTimeoutMs?: number;
  /** Lower clamp of an adaptive timeout (ms). Default 100. */
  minTimeoutMs?: number;
  /** Upper clamp of an adaptive timeout (ms). Default 5000. */
  maxTimeoutMs?: number;
  /** Peers remembered; the least recently measured are forgotten first. Default 1024. */
  capacity?: number;
}

interface Estimate {
  srtt: number;
  rttvar: number;
}

/**
 * Per-peer round-trip estimates and the request timeouts they imply, as TCP computes
 * its RTO (RFC 6298): timeout = SRTT + 4·RTTVAR, clamped. A slow peer gets a longer
 * timeout and a fast one a short timeout, so a dead peer costs a lookup little time.
 * Bounded: an LRU of `capacity` peers.
 */
export class RttTracker {
  readonly defaultTimeoutMs: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  readonly capacity: number;
  private readonly peers = new Map<string, Estimate>();

  constructor(o: RttOptions = {}) {
    this.defaultTimeoutMs = o.defaultTimeoutMs ?? 1000;
    this.minTimeoutMs = o.minTimeoutMs ?? 100;
    this.maxTimeoutMs = o.maxTimeoutMs ?? 5000;
    this.capacity = Math.max(1, o.capacity ?? 1024);
  }

  get size(): number {
    return this.peers.size;
  }

  /** Records one measured round trip to `id` (ms). */
  sample(id: string, rttMs: number): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return;
    const e = this.peers.get(id);
    if (e) {
      this.peers.delete(id); // re-inserted last: Map order is the LRU order
      e.rttvar = 0.75 * e.rttvar + 0.25 * Math.abs(e.srtt - rttMs);
      e.srtt = 0.875 * e.srtt + 0.125 * rttMs;
      this.peers.set(id, e);
      return;
    }
    this.peers.set(id, { srtt: rttMs, rttvar: rttMs / 2 });
    dropOldest(this.peers, this.capacity);
  }

  /** Smoothed RTT of `id`, when measured. */
  srtt(id: string): number | undefined {
    return this.peers.get(id)?.srtt;
  }

  /** How long to wait for `id` before treating a request as lost (ms). */
  timeoutFor(id: string): number {
    const e = this.peers.get(id);
    if (!e) return this.defaultTimeoutMs;
    const t = Math.ceil(e.srtt + 4 * e.rttvar);
    return Math.min(this.maxTimeoutMs, Math.max(this.minTimeoutMs, t));
  }
}
