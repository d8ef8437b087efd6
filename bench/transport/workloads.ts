/**
 * The workloads, written once against the adapter interface. Every function is bounded in
 * time (it rejects with a TimeoutError rather than hanging) and leaves no stream open on
 * success.
 */
import { median, percentile } from '../lib/stats.js';
import { deadline, errorMessage, nowMs, withTimeout } from '../lib/time.js';
import type { BenchClient, BenchConnection } from './adapter.js';
import { ByteReader } from './framing.js';

export const WORKLOAD = {
  connect: { warmup: 2, count: 20, timeoutMs: 10_000 },
  rtt: { size: 100, warmup: 200, count: 3000 },
  oneWay: { durationMs: 3000, capBytes: 64 * 2 ** 20, confirmTimeoutMs: 30_000 },
  streams: { count: 1000, size: 100, deadlineMs: 30_000 },
  rss: { connections: 100, settleMs: 2000 },
} as const;

function payload(size: number, fill: number): Uint8Array {
  return new Uint8Array(size).fill(fill);
}

export interface ConnectResult {
  p50: number;
  samples: number[];
  /** The very first connect (a warm-up, not in the samples). */
  firstMs: number;
  /** Measured connections the implementation reported as TLS-resumed (null: it does not say). */
  resumed: number | null;
}

/** Sequential fresh connections; each sample is dial → ready (close is not timed). */
export async function measureConnect(client: BenchClient, target: string): Promise<ConnectResult> {
  const { warmup, count, timeoutMs } = WORKLOAD.connect;
  const samples: number[] = [];
  let firstMs = Number.NaN;
  let resumed: number | null = null;
  for (let i = 0; i < warmup + count; i++) {
    const t0 = nowMs();
    const conn = await withTimeout(client.connect(target), timeoutMs, 'connect');
    const dt = nowMs() - t0;
    await withTimeout(conn.close(), timeoutMs, 'close').catch(() => undefined);
    if (i === 0) firstMs = dt;
    if (i >= warmup) {
      samples.push(dt);
      if (conn.resumed !== undefined) resumed = (resumed ?? 0) + (conn.resumed ? 1 : 0);
    }
  }
  return { p50: median(samples), samples, firstMs, resumed };
}

/** Echo round trips of `size` bytes on one long-lived stream, in microseconds. */
export async function measureRtt(
  conn: BenchConnection,
): Promise<{ p50: number; p99: number; count: number }> {
  const { size, warmup, count } = WORKLOAD.rtt;
  const stream = await conn.openStream('echo');
  const reader = new ByteReader(stream);
  const msg = payload(size, 0x42);
  const samples: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const t0 = nowMs();
    await stream.write(msg);
    const echoed = await reader.readExactly(size);
    const dt = nowMs() - t0;
    if (echoed[0] !== 0x42 || echoed[size - 1] !== 0x42) throw new Error('echo returned wrong bytes');
    if (i >= warmup) samples.push(dt * 1000);
  }
  await stream.end();
  await withTimeout(reader.readToEnd(), 5000, 'echo stream end');
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), count: samples.length };
}

export interface OneWayResult {
  bytes: number;
  messages: number;
  seconds: number;
  /** MB/s, 1 MB = 1e6 bytes. */
  megabytesPerSecond: number;
  messagesPerSecond: number;
}

/**
 * Writes `size`-byte messages on one sink stream for ~3 s (or 64 MiB), then FIN; the clock
 * stops when the server's byte count arrives, and the count must match what was written.
 */
export async function measureOneWay(conn: BenchConnection, size: number): Promise<OneWayResult> {
  const { durationMs, capBytes, confirmTimeoutMs } = WORKLOAD.oneWay;
  const stream = await conn.openStream('sink');
  const msg = payload(size, 0x61);
  let bytes = 0;
  let messages = 0;
  const t0 = nowMs();
  const writeLoop = async (): Promise<void> => {
    while (bytes + size <= capBytes) {
      await stream.write(msg);
      bytes += size;
      messages++;
      if ((messages & 63) === 0 && nowMs() - t0 >= durationMs) break;
    }
  };
  await withTimeout(writeLoop(), durationMs + confirmTimeoutMs, 'one-way writes');
  await withTimeout(stream.end(), confirmTimeoutMs, 'one-way FIN');
  const reply = await withTimeout(new ByteReader(stream).readToEnd(), confirmTimeoutMs, 'server byte count');
  const seconds = (nowMs() - t0) / 1000;
  const received = Number(new TextDecoder().decode(reply));
  if (received !== bytes) throw new Error(`server counted ${received} bytes, client wrote ${bytes}`);
  return {
    bytes,
    messages,
    seconds,
    megabytesPerSecond: bytes / 1e6 / seconds,
    messagesPerSecond: messages / seconds,
  };
}

export interface StreamsResult {
  completed: number;
  /** Until every stream settled; the deadline when it was hit. */
  ms: number;
  deadlineHit: boolean;
  failed: number;
  /** Neither completed nor failed when the deadline hit. */
  pending: number;
  firstError?: string;
}

/** Opens `count` echo streams at once on one connection: each writes 100 B, FIN, reads the echo to FIN. */
export async function measureStreams(conn: BenchConnection): Promise<StreamsResult> {
  const { count, size, deadlineMs } = WORKLOAD.streams;
  const msg = payload(size, 0x43);
  let completed = 0;
  let failed = 0;
  let firstError: string | undefined;
  const one = async (): Promise<void> => {
    const stream = await conn.openStream('echo');
    try {
      await stream.write(msg);
      await stream.end();
      const echoed = await new ByteReader(stream).readToEnd();
      if (echoed.length !== size) throw new Error(`stream echoed ${echoed.length} of ${size} bytes`);
      completed++;
    } catch (e) {
      stream.abort();
      throw e;
    }
  };
  const t0 = nowMs();
  const timer = deadline(deadlineMs);
  const all = Promise.allSettled(
    Array.from({ length: count }, () =>
      one().catch((e: unknown) => {
        failed++;
        firstError ??= errorMessage(e);
      }),
    ),
  );
  const finished = await Promise.race([all.then(() => true), timer.expired.then(() => false)]);
  timer.cancel();
  const ms = finished ? nowMs() - t0 : deadlineMs;
  return {
    completed,
    ms,
    deadlineHit: !finished,
    failed,
    pending: count - completed - failed,
    ...(firstError === undefined ? {} : { firstError }),
  };
}
