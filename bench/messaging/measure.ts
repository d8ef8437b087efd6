/**
 * The measuring loops shared by the messaging bench's worker (macula) and the peers bench
 * (NATS, libp2p), so every system is counted the same way: the subscriber's counters, the
 * sequential request timer and the back-to-back loops with a warm-up.
 */
import { percentile } from '../lib/stats.js';
import { errorMessage, sleep } from '../lib/time.js';
import { clockNs, makePayload, PHASE } from './protocol.js';

/** What a subscriber counted (the fields of `sub-report`). */
export interface SubCounts {
  /** Events of the measured phase. */
  measured: number;
  /** Every event received, all phases. */
  total: number;
  /** Clock ({@link clockNs}) of the first and last measured event. */
  firstNs: number;
  lastNs: number;
  /** One-way latencies (µs) of latency-phase events, send time → handler. */
  latenciesUs: number[];
}

/** A subscriber's counters, fed with each payload it receives. */
export class SubCounter {
  private c: SubCounts = SubCounter.empty();

  private static empty(): SubCounts {
    return { measured: 0, total: 0, firstNs: 0, lastNs: 0, latenciesUs: [] };
  }

  readonly onMessage = (p: Uint8Array): void => {
    const c = this.c;
    c.total++;
    if (p[0] === PHASE.measured) {
      const now = clockNs();
      if (c.measured === 0) c.firstNs = now;
      c.lastNs = now;
      c.measured++;
    } else if (p[0] === PHASE.latency) {
      const sentNs = new DataView(p.buffer, p.byteOffset, p.byteLength).getFloat64(8);
      c.latenciesUs.push((clockNs() - sentNs) / 1000);
    }
  };

  reset(): void {
    this.c = SubCounter.empty();
  }

  counts(): SubCounts {
    return { ...this.c };
  }
}

/** `warmup` untimed calls of `op`, then `count` timed one after another; the durations in µs. */
export async function timeSequential(
  warmup: number,
  count: number,
  op: (bytes: Uint8Array) => Promise<unknown>,
  onMeasureStart?: () => void,
): Promise<number[]> {
  const { bytes } = makePayload();
  for (let i = 0; i < warmup; i++) await op(bytes);
  onMeasureStart?.();
  const samplesUs: number[] = [];
  for (let i = 0; i < count; i++) {
    const s = clockNs();
    await op(bytes);
    samplesUs.push((clockNs() - s) / 1000);
  }
  return samplesUs;
}

/** What {@link runParallel} counted in its measured window. */
export interface ParallelCount {
  calls: number;
  errors: number;
  elapsedMs: number;
  firstError?: string;
}

/**
 * `inflight` loops calling `op` back to back: `warmupMs` uncounted, then `ms` counted
 * (completed calls; failures count as errors, the first one's message kept).
 */
export async function runParallel(
  inflight: number,
  warmupMs: number,
  ms: number,
  op: (bytes: Uint8Array) => Promise<unknown>,
  onMeasureStart?: () => void,
): Promise<ParallelCount> {
  const { bytes } = makePayload();
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  let counting = false;
  let stopAt = performance.now() + warmupMs + ms;
  let t0 = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      try {
        await op(bytes);
        if (counting) calls++;
      } catch (e) {
        errors++;
        firstError ??= errorMessage(e);
      }
    }
  };
  const warmed = sleep(warmupMs).then(() => {
    counting = true;
    t0 = performance.now();
    stopAt = t0 + ms;
    onMeasureStart?.();
  });
  await Promise.all([warmed, ...Array.from({ length: inflight }, loop)]);
  return { calls, errors, elapsedMs: performance.now() - t0, ...(firstError ? { firstError } : {}) };
}

/** What a paced run reports of its own timing: how late our timer woke for each send (µs). */
export interface PacedTiming {
  sent: number;
  lateUsP50: number;
  lateUsP99: number;
  lateUsMax: number;
}

/**
 * Publishes at `rate` per second for `warmupMs` + `ms`, each payload stamped with its send
 * time. The stamp is the publish() call, moved back by however long the previous publish()
 * held this message up past its due time: a stalled publish counts against every message
 * it delayed (no coordinated omission), while the lateness of our own timer (setTimeout's
 * 1 ms granularity) does not. `after` sees each publish's duration (µs) and end time.
 */
export async function pacedPublish(o: {
  rate: number;
  warmupMs: number;
  ms: number;
  /** A fresh buffer per message, for systems that may still hold the previous one after publish() returned. */
  freshPayload: boolean;
  publish: (bytes: Uint8Array) => Promise<unknown> | undefined;
  after?: (tookUs: number, measured: boolean, endNs: number) => void;
}): Promise<PacedTiming> {
  const periodNs = 1e9 / o.rate;
  const total = Math.round(((o.warmupMs + o.ms) / 1000) * o.rate);
  const warmCount = Math.round((o.warmupMs / 1000) * o.rate);
  const late: number[] = [];
  let payload = makePayload();
  const t0 = clockNs();
  let prevEnd = 0;
  for (let i = 0; i < total; ) {
    const due = t0 + i * periodNs;
    const now = clockNs();
    if (due > now) {
      await sleep((due - now) / 1e6);
      continue;
    }
    if (o.freshPayload) payload = makePayload();
    const { bytes, view } = payload;
    const s = clockNs();
    const measured = i >= warmCount;
    bytes[0] = measured ? PHASE.latency : PHASE.warmup;
    view.setFloat64(8, s - Math.max(0, prevEnd - due));
    await o.publish(bytes);
    prevEnd = clockNs();
    o.after?.((prevEnd - s) / 1000, measured, prevEnd);
    if (measured) late.push((s - due) / 1000);
    i++;
  }
  return {
    sent: total - warmCount,
    lateUsP50: percentile(late, 50),
    lateUsP99: percentile(late, 99),
    lateUsMax: Math.max(...late),
  };
}
