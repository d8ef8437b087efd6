/**
 * One Macula node in its own process for the messaging bench (run.ts forks it). It does
 * what the parent asks over IPC, one command at a time, and answers each with a message:
 *
 * - `start` {name, bootstrap?, subscriberCacheMs?} → `started` {port, nodeId}: a node on
 *   127.0.0.1 (QUIC); `subscriberCacheMs` (diagnostics) overrides the publisher's list cache.
 * - `members` {n} → `members-ok`: waits until n members (itself included) are alive.
 * - `connect` {port} → `connected`: dials a peer directly (so pub/sub uses a channel, not routing).
 * - `subscribe` {topic} → `subscribed`: a handler subscription (capacity 1 M) that counts
 *   events per phase and records one-way latencies; resolves once announced.
 * - `sub-reset` → `sub-reset-ok`; `sub-report` → {@link SubReport}.
 * - `warm` {topic, expect} → `warmed`: publishes with `ack: true` until the receipt lists
 *   `expect` subscriber nodes (the publisher's subscriber list is then cached).
 * - `flood` {topic, expect, warmupMs, ms} → {@link FloodDone}: publishes back to back.
 * - `paced` {topic, rate, warmupMs, ms} → {@link PacedDone}: publishes at a fixed rate,
 *   each payload stamped with its send time.
 * - `register` {name} → `registered`; `rpc-seq` {name, warmup, n} → {@link RpcSeqDone};
 *   `rpc-par` {name, inflight, warmupMs, ms} → {@link RpcParDone}.
 * - `stats` → `stats`; `stop`: stops the node and exits.
 */
import { createNode, generateIdentity, type MaculaNode, type Subscription } from '../../src/index.js';
import { exitWithParent, type Message, serveParentCommands } from '../lib/child.js';
import { errorMessage, sleep } from '../lib/time.js';
import { pacedPublish, runParallel, SubCounter, timeSequential } from './measure.js';
import {
  clockNs,
  type FloodDone,
  makePayload,
  type PacedDone,
  PHASE,
  REALM,
  type RpcParDone,
  type RpcSeqDone,
  type Started,
  type SubReport,
} from './protocol.js';

exitWithParent();
const label = `[messaging worker ${process.pid}]`;
process.on('uncaughtException', (e) => console.error(`${label} uncaught: ${errorMessage(e)}`));
process.on('unhandledRejection', (e) => console.error(`${label} unhandled rejection: ${errorMessage(e)}`));

let node: MaculaNode | undefined;
const subs: Subscription<Uint8Array>[] = [];
const counter = new SubCounter();

function need(): MaculaNode {
  if (!node) throw new Error('node not started');
  return node;
}

async function start(m: Message): Promise<Started> {
  const bootstrap = (m.bootstrap as string[] | undefined) ?? [];
  node = createNode({
    identity: await generateIdentity(REALM),
    name: String(m.name),
    listen: { host: '127.0.0.1', port: 0 },
    bootstrap,
    // Diagnostics only (run.ts keeps the default): how long the publisher trusts its subscriber list.
    ...(m.subscriberCacheMs !== undefined
      ? { pubsub: { subscriberCacheMs: Number(m.subscriberCacheMs) } }
      : {}),
  });
  await node.start();
  return { type: 'started', port: node.address.port, nodeId: node.nodeId };
}

async function members(n: number): Promise<number> {
  const alive = () =>
    need()
      .members()
      .filter((x) => x.state === 'alive').length;
  const until = Date.now() + 30_000;
  while (alive() < n) {
    if (Date.now() > until) throw new Error(`only ${alive()} of ${n} members alive after 30 s`);
    await sleep(50);
  }
  return alive();
}

async function warm(topic: string, expect: number): Promise<number> {
  const { bytes } = makePayload();
  bytes[0] = PHASE.warmup;
  const until = Date.now() + 30_000;
  for (let tries = 1; ; tries++) {
    try {
      const r = await need().publish(topic, bytes, { ack: true, timeoutMs: 2_000 });
      if (r.subscribers.length >= expect) return tries;
    } catch {
      // not every subscriber acknowledged yet: try again
    }
    if (Date.now() > until) throw new Error(`the receipt did not list ${expect} subscribers within 30 s`);
    await sleep(100);
  }
}

async function flood(topic: string, expect: number, warmupMs: number, ms: number): Promise<FloodDone> {
  const n = need();
  const { bytes } = makePayload();
  bytes[0] = PHASE.warmup;
  const failures0 = n.pubsubStats().sendFailures;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) for (let i = 0; i < 256; i++) await n.publish(topic, bytes);
  bytes[0] = PHASE.measured;
  let sent = 0;
  let shortReceipts = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  while (performance.now() < end) {
    // Checking the clock every 256 publishes keeps it off the hot path.
    for (let i = 0; i < 256; i++) {
      const r = await n.publish(topic, bytes);
      if (r.subscribers.length < expect) shortReceipts++;
    }
    sent += 256;
  }
  const elapsedMs = performance.now() - t0;
  return {
    type: 'flood-done',
    sent,
    elapsedMs,
    sendFailures: n.pubsubStats().sendFailures - failures0,
    shortReceipts,
  };
}

/** Publishes faster than this (µs) are not examined for a DHT read. */
const SLOW_PUBLISH_US = 250;

async function paced(topic: string, rate: number, warmupMs: number, ms: number): Promise<PacedDone> {
  const n = need();
  const refreshUs: number[] = [];
  let slowestOther = 0;
  let over1ms = 0;
  const gets0 = n.dht.stats().gets;
  // dht.stats() builds a snapshot: read per publish, it made the publisher's scavenges keep
  // ~1.4 MB alive (vs ~60 KB) and doubled their pauses. So it is read only after a slow
  // publish, and every 50 ms to keep the baseline current; a slow publish counts as a
  // refresh when the DHT was read since that baseline.
  let gets = gets0;
  let checkedAt = 0;
  const timing = await pacedPublish({
    rate,
    warmupMs,
    ms,
    freshPayload: false,
    publish: (bytes) => n.publish(topic, bytes),
    after: (took, measured, endNs) => {
      const slow = took > SLOW_PUBLISH_US;
      if (slow || endNs - checkedAt > 50e6) {
        const now = n.dht.stats().gets;
        if (measured && slow) {
          // A publish that read the DHT: its subscriber list had expired.
          if (now > gets) refreshUs.push(took);
          else if (took > slowestOther) slowestOther = took;
        }
        gets = now;
        checkedAt = clockNs();
      }
      if (measured && took > 1000) over1ms++;
    },
  });
  return {
    type: 'paced-done',
    ...timing,
    refreshPublishesUs: refreshUs,
    slowestOtherPublishUs: slowestOther,
    publishesOver1ms: over1ms,
    dhtGets: n.dht.stats().gets - gets0,
  };
}

async function rpcSeq(name: string, warmup: number, count: number): Promise<RpcSeqDone> {
  const n = need();
  let gets0 = 0;
  const samplesUs = await timeSequential(
    warmup,
    count,
    (bytes) => n.call(name, bytes, { timeoutMs: 5_000 }),
    () => {
      gets0 = n.dht.stats().gets;
    },
  );
  return { type: 'rpc-seq-done', samplesUs, dhtGets: n.dht.stats().gets - gets0 };
}

async function rpcPar(name: string, inflight: number, warmupMs: number, ms: number): Promise<RpcParDone> {
  const n = need();
  let gets0 = n.dht.stats().gets;
  const r = await runParallel(
    inflight,
    warmupMs,
    ms,
    (bytes) => n.call(name, bytes, { timeoutMs: 10_000 }),
    () => {
      gets0 = n.dht.stats().gets;
    },
  );
  return { type: 'rpc-par-done', ...r, dhtGets: n.dht.stats().gets - gets0 };
}

async function handle(m: Message): Promise<Message | undefined> {
  switch (m.type) {
    case 'start':
      return start(m);
    case 'members':
      return { type: 'members-ok', alive: await members(Number(m.n)) };
    case 'connect': {
      const peer = await need().connect({ host: '127.0.0.1', port: Number(m.port) }, { timeoutMs: 10_000 });
      return { type: 'connected', nodeId: peer.nodeId };
    }
    case 'subscribe': {
      const sub = need().subscribe<Uint8Array>(String(m.topic), (e) => counter.onMessage(e.payload), {
        capacity: 1 << 20,
      });
      subs.push(sub);
      await sub.ready;
      return { type: 'subscribed' };
    }
    case 'sub-reset':
      counter.reset();
      return { type: 'sub-reset-ok' };
    case 'sub-report': {
      const ps = need().pubsubStats();
      const report: SubReport = {
        type: 'sub-report',
        ...counter.counts(),
        dropped: subs.reduce((s, x) => s + x.stats().dropped, 0),
        overflowed: ps.overflowed,
        received: ps.received,
        delivered: ps.delivered,
      };
      return report;
    }
    case 'warm':
      return { type: 'warmed', tries: await warm(String(m.topic), Number(m.expect)) };
    case 'flood':
      return flood(String(m.topic), Number(m.expect), Number(m.warmupMs), Number(m.ms));
    case 'paced':
      return paced(String(m.topic), Number(m.rate), Number(m.warmupMs), Number(m.ms));
    case 'register':
      await need().register(String(m.name), (args: unknown) => args);
      return { type: 'registered' };
    case 'rpc-seq':
      return rpcSeq(String(m.name), Number(m.warmup), Number(m.n));
    case 'rpc-par':
      return rpcPar(String(m.name), Number(m.inflight), Number(m.warmupMs), Number(m.ms));
    case 'stats': {
      const n = need();
      return {
        type: 'stats',
        pubsub: n.pubsubStats(),
        rpc: n.rpcStats(),
        node: n.stats(),
        connections: n.connections().length,
        routed: n.routes().routed,
        dht: { gets: n.dht.stats().gets, sent: n.dht.stats().sent },
      };
    }
    default:
      throw new Error(`unknown command ${m.type}`);
  }
}

serveParentCommands(handle, () => node?.stop());
