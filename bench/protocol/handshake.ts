/**
 * Handshake bench: "QUIC connect + Macula handshake" on loopback, server node in a child
 * process (handshake-server.ts). Every run uses a fresh client node (new identity, new
 * endpoint, so no session ticket and no TLS resumption: a full handshake), created and
 * started outside the timed part; only `connect()` is timed; the client is stopped after.
 */
import { type Address, createNode, generateIdentity, type MaculaNode } from '../../src/index.js';
import { Child, type Message } from '../lib/child.js';
import { median, percentile } from '../lib/stats.js';
import { nowMs, sleep, withTimeout } from '../lib/time.js';

export const REALM = 'org.example.bench';

export interface ServerReady extends Message {
  type: 'ready';
  address: Address;
}

export interface HandshakeResult {
  runs: number;
  warmup: number;
  /** The very first connect of the bench (cold JIT on both sides); it is also warm-up run 1. */
  coldMs: number;
  p50: number;
  p90: number;
  min: number;
  max: number;
  samples: number[];
}

/** Pause after each run, untimed, so the server has finished closing the previous connection. */
const SETTLE_MS = 10;

async function freshClient(): Promise<MaculaNode> {
  const id = await generateIdentity(REALM);
  const node = createNode({
    identity: id,
    listen: { host: '127.0.0.1', port: 0 },
  });
  await node.start();
  return node;
}

/** One full handshake with a fresh client node; returns the milliseconds `connect()` took. */
async function once(target: Address): Promise<number> {
  const client = await freshClient();
  try {
    const t0 = nowMs();
    await client.connect(target, { timeoutMs: 10_000 });
    return nowMs() - t0;
  } finally {
    await withTimeout(client.stop(), 5000, 'client stop').catch(() => undefined);
    await sleep(SETTLE_MS);
  }
}

export async function measureHandshake(runs: number, warmup: number): Promise<HandshakeResult> {
  const server = new Child(new URL('./handshake-server.ts', import.meta.url), {
    label: 'handshake server',
  });
  try {
    const { address } = await server.next<ServerReady>('ready', 30_000);
    const warm: number[] = [];
    for (let i = 0; i < warmup; i++) warm.push(await once(address));
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(await once(address));
    return {
      runs,
      warmup,
      coldMs: warm[0] ?? samples[0] ?? Number.NaN,
      p50: median(samples),
      p90: percentile(samples, 90),
      min: Math.min(...samples),
      max: Math.max(...samples),
      samples,
    };
  } finally {
    await server.stop(2000);
  }
}
