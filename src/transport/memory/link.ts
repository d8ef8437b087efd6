import { TransportUsageError } from '../errors.js';

/** How packets travel between two hosts. Unset fields fall back to the network defaults (then 0). */
export interface LinkConditions {
  /** One-way delay in milliseconds. */
  latencyMs?: number;
  /** Extra delay, uniform in [0, jitterMs]; can reorder packets (streams reorder them back). */
  jitterMs?: number;
  /** Probability (0..1) that a packet is lost. Stream data is retransmitted; datagrams are gone. */
  loss?: number;
  /** Link capacity per direction; packets queue behind each other. Unset or 0: unlimited. */
  bandwidthBytesPerSec?: number;
}

/** The conditions that apply to one packet, every field resolved. */
export interface ResolvedLink {
  latencyMs: number;
  jitterMs: number;
  loss: number;
  bandwidthBytesPerSec: number;
}

function check(c: LinkConditions): LinkConditions {
  for (const [k, v] of Object.entries(c)) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new TransportUsageError(`link condition ${k} must be a finite number >= 0`);
    }
  }
  if ((c.loss ?? 0) > 1) throw new TransportUsageError('link loss must be within 0..1');
  return { ...c };
}

/**
 * Link conditions, partitions and per-direction bandwidth queues between hosts.
 * Lookups are two Map hits keyed by host, so no string is built per packet.
 */
export class LinkTable {
  private defaults: LinkConditions;
  private readonly pairs = new Map<string, Map<string, LinkConditions>>();
  /** Resolved conditions: shared objects, rebuilt when conditions change, so packets allocate none. */
  private resolvedDefault!: ResolvedLink;
  private readonly resolvedPairs = new Map<string, Map<string, ResolvedLink>>();
  private partitions: { a: ReadonlySet<string>; b: ReadonlySet<string> }[] = [];
  /** Instant each directed link finishes transmitting its queued packets. */
  private readonly busyUntil = new Map<string, Map<string, number>>();

  constructor(defaults: LinkConditions) {
    this.defaults = check(defaults);
    this.rebuild();
  }

  setDefaults(c: LinkConditions): void {
    this.defaults = check(c);
    this.rebuild();
  }

  setLink(a: string, b: string, c: LinkConditions): void {
    const v = check(c);
    side(this.pairs, a).set(b, v);
    side(this.pairs, b).set(a, v);
    const r = merge(v, this.defaults);
    side(this.resolvedPairs, a).set(b, r);
    side(this.resolvedPairs, b).set(a, r);
  }

  partition(groupA: readonly string[], groupB: readonly string[]): void {
    this.partitions.push({ a: new Set(groupA), b: new Set(groupB) });
  }

  heal(): void {
    this.partitions = [];
  }

  /** True while a partition separates the two hosts. */
  blocked(from: string, to: string): boolean {
    for (const p of this.partitions) {
      if ((p.a.has(from) && p.b.has(to)) || (p.b.has(from) && p.a.has(to))) return true;
    }
    return false;
  }

  /** The conditions between two hosts (a shared object: do not modify). */
  resolve(from: string, to: string): ResolvedLink {
    if (this.resolvedPairs.size === 0) return this.resolvedDefault;
    return this.resolvedPairs.get(from)?.get(to) ?? this.resolvedDefault;
  }

  private rebuild(): void {
    this.resolvedDefault = merge(undefined, this.defaults);
    this.resolvedPairs.clear();
    for (const [a, row] of this.pairs) {
      for (const [b, c] of row) side(this.resolvedPairs, a).set(b, merge(c, this.defaults));
    }
  }

  /**
   * Queues `size` bytes on the directed link and returns when their last bit has left,
   * in ms from `now` (0 without a bandwidth limit).
   */
  serialise(from: string, to: string, size: number, bandwidth: number, now: number): number {
    if (bandwidth <= 0) return 0;
    const row = side(this.busyUntil, from);
    const start = Math.max(now, row.get(to) ?? 0);
    const done = start + (size * 1000) / bandwidth;
    row.set(to, done);
    return done - now;
  }
}

function merge(l: LinkConditions | undefined, d: LinkConditions): ResolvedLink {
  return {
    latencyMs: l?.latencyMs ?? d.latencyMs ?? 0,
    jitterMs: l?.jitterMs ?? d.jitterMs ?? 0,
    loss: l?.loss ?? d.loss ?? 0,
    bandwidthBytesPerSec: l?.bandwidthBytesPerSec ?? d.bandwidthBytesPerSec ?? 0,
  };
}

function side<V>(m: Map<string, Map<string, V>>, host: string): Map<string, V> {
  let row = m.get(host);
  if (!row) {
    row = new Map();
    m.set(host, row);
  }
  return row;
}
