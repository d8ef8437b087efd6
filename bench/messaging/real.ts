/**
 * Real nodes on the in-memory network (one process): N full MaculaNodes (membership,
 * topology, routing, DHT, pub/sub) on a MemoryNetwork with 1 ms links, to measure what a
 * publish costs in Macula frames and to check the model of sim.ts at the same size.
 *
 * A topic `metrics.cpu` gets S subscriber nodes; one publisher publishes at-most-once,
 * one message at a time, and every node's frame counters (`stats().messagesSent`: channel
 * frames, stream requests and replies, handshakes — SWIM datagrams are not frames) are
 * summed around each publish. The background rate (measured idle before) is subtracted.
 * Each sample is classified by the publisher's DHT reads during it: every key of the topic
 * (cache miss), none (list cached: what the model's "list cached" figure counts), or some
 * (a background re-read of a key whose expiry is spread over the cache period): those
 * are counted (`partial_samples`) and left out of both means.
 *
 * Args: nodes, subscriber nodes, samples. Sends `{ type: 'result', figures }` to the parent.
 */
import { createNode, type MaculaNode } from '../../src/node/index.js';
import { lookupKeys } from '../../src/pubsub/index.js';
import { systemClock } from '../../src/runtime/index.js';
import { generateIdentity } from '../../src/security/index.js';
import { MemoryNetwork } from '../../src/transport/index.js';
import { exitWithParent, reportResult } from '../lib/child.js';
import { mean } from '../lib/stats.js';
import { errorMessage, sleep } from '../lib/time.js';
import { REALM } from './protocol.js';

export interface RealFigures {
  nodes: number;
  subscriber_nodes: number;
  /** Frames per publish, all nodes, background subtracted. */
  steady_frames_mean: number;
  /** Samples during which the publisher re-read some but not all of the topic's keys (left out). */
  partial_samples: number;
  steady_samples: number;
  miss_frames_mean: number;
  miss_samples: number;
  /** Of the steady figure: deliveries that went over a direct channel vs routed. */
  steady_direct_share: number;
  /** Routed forwards per steady publish (all nodes), and per cache miss. */
  steady_forwards_mean: number;
  miss_forwards_mean: number;
  /** DHT FIND_VALUE requests and lookup queries the publisher sent per cache miss. */
  miss_find_values_mean: number;
  miss_lookup_queries_mean: number;
  /** New connections (handshakes) per publish. */
  steady_dials_mean: number;
  miss_dials_mean: number;
  publisher_connections: number;
  background_frames_per_s: number;
  formation_s: number;
  /** From every `sub.ready` to the publisher's DHT read finding every subscriber node. */
  all_subscribers_found_s: number;
  wall_s: number;
  rss_mb: number;
}

const [nodesArg, subsArg, samplesArg] = process.argv.slice(2);
const N = Number(nodesArg ?? 200);
const S = Number(subsArg ?? 10);
const SAMPLES = Number(samplesArg ?? 30);
const TOPIC = 'metrics.cpu';
const wall0 = performance.now();
const wall = () => (performance.now() - wall0) / 1000;
const log = (what: string) => console.log(`  [real ${N}] ${what} (wall ${wall().toFixed(1)} s)`);

const net = new MemoryNetwork({ clock: systemClock, latencyMs: 1 });
const nodes: MaculaNode[] = [];
let dials = 0;

async function addNode(i: number): Promise<MaculaNode> {
  const transport = net.transport();
  const node = createNode({
    identity: await generateIdentity(REALM),
    name: `n${i}`,
    transport,
    listen: { host: `10.0.${i >> 8}.${i & 255}`, port: 4433 },
    bootstrap: i === 0 ? [] : ['10.0.0.0:4433'],
  });
  node.on('peer:connected', () => {
    dials++;
  });
  await node.start();
  return node;
}

function frames(): number {
  let n = 0;
  for (const x of nodes) n += x.stats().messagesSent;
  return n;
}

function forwards(): number {
  let n = 0;
  for (const x of nodes) n += x.routes().routed.forwarded;
  return n;
}

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await sleep(50);
  }
}

async function main(): Promise<RealFigures> {
  // Joins in small waves: a node's start includes its identity and endpoint.
  for (let i = 0; i < N; i += 10) {
    const wave = await Promise.all(Array.from({ length: Math.min(10, N - i) }, (_, j) => addNode(i + j)));
    nodes.push(...wave);
  }
  log('started');
  const alive = (x: MaculaNode) => x.members().filter((m) => m.state === 'alive').length;
  await until(() => nodes.every((x) => alive(x) >= N), 300_000, 'full membership');
  const formation = wall();
  log('membership complete');
  // Topology settles (ring and long-range links dialled) before anything is measured.
  await sleep(3000);

  const pub = nodes[N - 1]!;
  // Subscriber nodes: spread over the id space (every (N/S)-th node, publisher excluded).
  const subscribers = Array.from({ length: S }, (_, j) => nodes[Math.floor((j * (N - 1)) / S)]!);
  const subs = subscribers.map((n) => n.subscribe(TOPIC, () => {}, { capacity: 1 << 16 }));
  await Promise.all(subs.map((s) => s.ready));
  log(`${S} subscriptions announced`);
  // The warm-up publish must reach every subscriber node (the registry has settled).
  const warm0 = wall();
  let seen = 0;
  for (;;) {
    try {
      const r = await pub.publish(TOPIC, 0, { ack: true, timeoutMs: 5_000 });
      if (r.subscribers.length !== seen)
        log(`the publisher's DHT read found ${r.subscribers.length} of ${S}`);
      seen = r.subscribers.length;
      if (seen >= S) break;
    } catch (e) {
      log(`warm-up publish: ${errorMessage(e)}`);
    }
    if (wall() - warm0 > 60)
      throw new Error(`the publisher found only ${seen} of ${S} subscriber nodes in 60 s`);
    await sleep(300);
  }
  const warmS = wall() - warm0;
  await sleep(1500);

  // Background: frames per second with nobody publishing.
  const bg0 = frames();
  const bgT0 = performance.now();
  await sleep(5000);
  const bgRate = (frames() - bg0) / ((performance.now() - bgT0) / 1000);
  log(`background ${bgRate.toFixed(1)} frames/s`);

  const delivered = () => subscribers.reduce((n, x) => n + x.pubsubStats().delivered, 0);
  const keys = lookupKeys(TOPIC).length;
  const steady: { frames: number; fwd: number; direct: number; dials: number }[] = [];
  let partial = 0;
  const miss: { frames: number; fwd: number; fv: number; lq: number; dials: number }[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // Half the samples right after the previous one (list cached), half after the cache expired.
    await sleep(i % 2 === 0 ? 1_100 : 150);
    const f0 = frames();
    const w0 = forwards();
    const d0 = delivered();
    const dl0 = dials;
    const dht0 = pub.dht.stats();
    const q0 = pub.routes().lookups.queries;
    const t0 = performance.now();
    const direct = pub.connections().map((c) => c.nodeId);
    const r = await pub.publish(TOPIC, i);
    await until(() => delivered() >= d0 + S, 10_000, `delivery of sample ${i}`);
    await sleep(100); // replies and acknowledgements of routed hops
    const dt = (performance.now() - t0) / 1000;
    const f = frames() - f0 - bgRate * dt;
    const dht1 = pub.dht.stats();
    const gets = dht1.gets - dht0.gets;
    const lq = pub.routes().lookups.queries - q0;
    // Each new connection is reported by both of its ends.
    const row = { frames: f, fwd: forwards() - w0, dials: (dials - dl0) / 2 };
    if (gets >= keys)
      miss.push({
        ...row,
        fv: dht1.sent.findValue - dht0.sent.findValue,
        lq,
      });
    else if (gets === 0)
      steady.push({
        ...row,
        direct: r.subscribers.filter((id) => direct.includes(id)).length / S,
      });
    else partial++;
  }
  log(`${steady.length} steady, ${miss.length} cache-miss and ${partial} partial samples`);
  return {
    nodes: N,
    subscriber_nodes: S,
    steady_frames_mean: mean(steady.map((x) => x.frames)),
    partial_samples: partial,
    steady_samples: steady.length,
    miss_frames_mean: mean(miss.map((x) => x.frames)),
    miss_samples: miss.length,
    steady_direct_share: mean(steady.map((x) => x.direct)),
    steady_forwards_mean: mean(steady.map((x) => x.fwd)),
    miss_forwards_mean: mean(miss.map((x) => x.fwd)),
    miss_find_values_mean: mean(miss.map((x) => x.fv)),
    miss_lookup_queries_mean: mean(miss.map((x) => x.lq)),
    steady_dials_mean: mean(steady.map((x) => x.dials)),
    miss_dials_mean: mean(miss.map((x) => x.dials)),
    publisher_connections: pub.connections().length,
    background_frames_per_s: bgRate,
    formation_s: formation,
    all_subscribers_found_s: warmS,
    wall_s: wall(),
    rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

exitWithParent();
await reportResult(main);
