/**
 * `npm run bench:messaging`: pub/sub and RPC between Macula nodes in separate processes
 * over QUIC on loopback (worker.ts, one node per process), plus the cost of a publish in
 * a 1,000-node mesh (sim.ts: a model on the routing simulation, checked against real
 * nodes on the in-memory transport).
 *
 * Measured (publisher/caller in one process, subscribers/provider in others):
 * - pub/sub 1 → 1 and 1 → 5 throughput, 100 B payloads, at-most-once, publishing in an
 *   `await publish()` loop;
 * - one-way latency at 1,000 msg/s (payload stamped with the intended send time on
 *   CLOCK_MONOTONIC, which every process on the machine shares);
 * - RPC sequential latency and calls/s with 64 in flight.
 *
 * Writes bench/results/messaging.json and messaging.meta.json. Options: `--seconds N`
 * (measured seconds per throughput phase, default 3), `--no-sim`, `--sim-only`,
 * `--real-nodes N` (size of the real-node check, default 200; 0 skips it).
 * BENCH_CHILD_NODE_FLAGS passes flags (e.g. `--cpu-prof`) to every child.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Child, type Message, repoRoot } from '../lib/child.js';
import { machineInfo } from '../lib/machine.js';
import { percentile, round } from '../lib/stats.js';
import { formatCell, renderTable } from '../lib/table.js';
import { errorMessage, nowMs, sleep, withTimeout } from '../lib/time.js';
import type { ModelFigures } from './model.js';
import type { FloodDone, PacedDone, RpcParDone, RpcSeqDone, Started, SubReport } from './protocol.js';
import type { RealFigures } from './real.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const SECONDS = Number(arg('seconds', '3'));
const SIM = !args.includes('--no-sim');
const QUIC = !args.includes('--sim-only');
const REAL_NODES = Number(arg('real-nodes', '100'));
const MODEL_SIZES = arg('model-sizes', '1000,10000').split(',').map(Number);
const SUBSCRIBER_NODES = 10;
const WARMUP_MS = 1000;
const LATENCY_RATE = 1000;
const LATENCY_MS = 5000;
const RPC_SEQ = 3000;
const RPC_INFLIGHT = 64;
const FANOUT = 5;
const STEP_MS = 60_000;
const RESULTS_DIR = `${repoRoot}bench/results`;

const meta = machineInfo();
const startedAt = nowMs();
console.log(`macula messaging bench (load average ${meta.load_average_at_start.join(' ')})`);

const workers: Child[] = [];
const errors: Record<string, string> = {};
const details: Record<string, unknown> = {};

function spawn(name: string): Child {
  const c = new Child(new URL('./worker.ts', import.meta.url), { label: `messaging ${name}` });
  workers.push(c);
  return c;
}

/** Sends `m` and waits for the reply of type `reply`. */
function ask<T extends Message>(c: Child, m: Message, reply: T['type'], ms = STEP_MS): Promise<T> {
  c.send(m);
  return c.next<T>(reply, ms);
}

async function startNode(c: Child, name: string, bootstrapPort?: number): Promise<Started> {
  const bootstrap = bootstrapPort ? [`127.0.0.1:${bootstrapPort}`] : [];
  return ask<Started>(c, { type: 'start', name, bootstrap }, 'started');
}

/** Runs `fn`; on failure records the error under `key` and returns undefined. */
async function step<T>(key: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    errors[key] = errorMessage(e);
    console.error(`  ${key} FAILED: ${errors[key]}`);
    return undefined;
  }
}

interface QuicFigures {
  pubsub_msgs_per_s: number | null;
  pubsub_fanout5_deliveries_per_s: number | null;
  latency_us_p50: number | null;
  latency_us_p99: number | null;
  rpc_us_p50: number | null;
  rpc_us_p99: number | null;
  rpc_calls_per_s_64: number | null;
}

async function report(c: Child): Promise<SubReport> {
  return ask<SubReport>(c, { type: 'sub-report' }, 'sub-report');
}

async function reset(subs: Child[]): Promise<void> {
  await Promise.all(subs.map((s) => ask(s, { type: 'sub-reset' }, 'sub-reset-ok')));
}

/** Subscriber reports once `count` of them reaches `expected` or stops growing for 1 s (the tail is in). */
async function drained(subs: Child[], count: (rs: SubReport[]) => number, expected: number) {
  let reports = await Promise.all(subs.map(report));
  let last = count(reports);
  let still = 0;
  while (last < expected && still < 4) {
    await sleep(250);
    reports = await Promise.all(subs.map(report));
    const n = count(reports);
    still = n === last ? still + 1 : 0;
    last = n;
  }
  return reports;
}

/** Throughput of one flood, summed over `subs`, from the subscribers' own clocks. */
async function floodPhase(pub: Child, subs: Child[], topic: string, key: string) {
  await reset(subs);
  const done = await ask<FloodDone>(
    pub,
    { type: 'flood', topic, expect: subs.length, warmupMs: WARMUP_MS, ms: SECONDS * 1000 },
    'flood-done',
    SECONDS * 1000 + WARMUP_MS + STEP_MS,
  );
  const expected = done.sent * subs.length;
  const reports = await drained(subs, (rs) => rs.reduce((n, r) => n + r.measured, 0), expected);
  const measured = reports.reduce((s, r) => s + r.measured, 0);
  const got = reports.filter((r) => r.measured > 0);
  const first = Math.min(...got.map((r) => r.firstNs));
  const last = Math.max(...got.map((r) => r.lastNs));
  const rate = measured / ((last - first) / 1e9);
  const dropped = reports.reduce((s, r) => s + r.dropped, 0);
  details[key] = {
    published: done.sent,
    publisher_elapsed_ms: round(done.elapsedMs, 1),
    publisher_rate_per_s: round(done.sent / (done.elapsedMs / 1000), 0),
    deliveries_expected: expected,
    deliveries_measured: measured,
    lost: expected - measured,
    subscription_drops: dropped,
    send_failures: done.sendFailures,
    short_receipts: done.shortReceipts,
    per_subscriber: reports.map((r) => r.measured),
  };
  console.log(
    `  ${key}: ${formatCell(rate, 0)}/s (${measured} of ${expected} delivered, ${dropped} dropped, ` +
      `publisher ${formatCell(done.sent / (done.elapsedMs / 1000), 0)} publishes/s)`,
  );
  return rate;
}

/** One-way latency of `pub` → `sub` at LATENCY_RATE msg/s. */
async function latencyPhase(pub: Child, sub: Child) {
  await reset([sub]);
  const done = await ask<PacedDone>(
    pub,
    { type: 'paced', topic: 'bench.one', rate: LATENCY_RATE, warmupMs: WARMUP_MS, ms: LATENCY_MS },
    'paced-done',
    LATENCY_MS + WARMUP_MS + STEP_MS,
  );
  const [r] = (await drained([sub], (rs) => rs[0]!.latenciesUs.length, done.sent)) as [SubReport];
  const lat = r.latenciesUs;
  const refresh = done.refreshPublishesUs;
  const out = {
    rate_per_s: LATENCY_RATE,
    sent: done.sent,
    received: lat.length,
    p50_us: percentile(lat, 50),
    p90_us: round(percentile(lat, 90), 1),
    p99_us: percentile(lat, 99),
    p999_us: round(percentile(lat, 99.9), 1),
    max_us: round(Math.max(...lat), 1),
    timer_late_us_p50: round(done.lateUsP50, 1),
    timer_late_us_p99: round(done.lateUsP99, 1),
    subscriber_list_refreshes: refresh.length,
    refresh_publish_us: refresh.map((x) => round(x, 0)),
    slowest_other_publish_us: round(done.slowestOtherPublishUs, 1),
    publishes_over_1ms: done.publishesOver1ms,
    publisher_dht_gets: done.dhtGets,
  };
  console.log(
    `  one-way p50 ${formatCell(out.p50_us, 0)} µs, p99 ${formatCell(out.p99_us, 0)} µs, max ` +
      `${formatCell(out.max_us / 1000, 1)} ms (${lat.length}/${done.sent} received); ${refresh.length} ` +
      `subscriber-list refreshes blocked publish() for ${refresh.map((x) => formatCell(x / 1000, 1)).join(', ') || '-'} ms; ` +
      `slowest other publish() ${formatCell(done.slowestOtherPublishUs / 1000, 1)} ms`,
  );
  return out;
}

async function quic(): Promise<QuicFigures> {
  const f: QuicFigures = {
    pubsub_msgs_per_s: null,
    pubsub_fanout5_deliveries_per_s: null,
    latency_us_p50: null,
    latency_us_p99: null,
    rpc_us_p50: null,
    rpc_us_p99: null,
    rpc_calls_per_s_64: null,
  };
  const pub = spawn('publisher');
  const subs = Array.from({ length: FANOUT }, (_, i) => spawn(`subscriber${i + 1}`));
  const p = await startNode(pub, 'publisher');
  // Subscribers bootstrap through the publisher, so each one holds a direct connection to it.
  const ports: number[] = [];
  for (const [i, s] of subs.entries()) ports.push((await startNode(s, `subscriber${i + 1}`, p.port)).port);
  const s1 = subs[0]!;
  const fixed = spawn('publisher-no-refresh');
  await ask<Started>(
    fixed,
    {
      type: 'start',
      name: 'publisher-no-refresh',
      bootstrap: [`127.0.0.1:${p.port}`],
      subscriberCacheMs: 3_600_000,
    },
    'started',
  );
  const all = [pub, ...subs, fixed];
  await Promise.all(all.map((c) => ask(c, { type: 'members', n: all.length }, 'members-ok')));
  // Its deliveries must go over a direct channel too, not routed.
  await ask(fixed, { type: 'connect', port: ports[0] }, 'connected');

  console.log('\n1 → 1 pub/sub');
  await ask(s1, { type: 'subscribe', topic: 'bench.one' }, 'subscribed');
  await ask(pub, { type: 'warm', topic: 'bench.one', expect: 1 }, 'warmed');
  f.pubsub_msgs_per_s =
    (await step('pubsub_1to1', () => floodPhase(pub, [s1], 'bench.one', 'pubsub_1to1'))) ?? null;

  console.log(`latency at ${LATENCY_RATE} msg/s`);
  await step('latency', async () => {
    const r = await latencyPhase(pub, s1);
    f.latency_us_p50 = r.p50_us;
    f.latency_us_p99 = r.p99_us;
    details.latency = r;
  });
  // Diagnostic: the same with a publisher whose subscriber list never expires
  // (subscriberCacheMs = 1 h), to show what the once-a-second refresh costs the tail.
  await step('latency_no_refresh', async () => {
    await ask(fixed, { type: 'warm', topic: 'bench.one', expect: 1 }, 'warmed');
    details.latency_no_refresh = await latencyPhase(fixed, s1);
  });

  console.log('RPC');
  await ask(s1, { type: 'register', name: 'bench.echo' }, 'registered');
  await step('rpc_seq', async () => {
    const r = await ask<RpcSeqDone>(
      pub,
      { type: 'rpc-seq', name: 'bench.echo', warmup: 200, n: RPC_SEQ },
      'rpc-seq-done',
      STEP_MS * 2,
    );
    f.rpc_us_p50 = percentile(r.samplesUs, 50);
    f.rpc_us_p99 = percentile(r.samplesUs, 99);
    details.rpc_seq = {
      calls: r.samplesUs.length,
      p50_us: round(f.rpc_us_p50, 1),
      p90_us: round(percentile(r.samplesUs, 90), 1),
      p99_us: round(f.rpc_us_p99, 1),
      max_us: round(Math.max(...r.samplesUs), 1),
      caller_dht_gets: r.dhtGets,
    };
    console.log(
      `  sequential p50 ${formatCell(f.rpc_us_p50, 0)} µs, p99 ${formatCell(f.rpc_us_p99, 0)} µs ` +
        `(${r.samplesUs.length} calls, ${r.dhtGets} DHT gets)`,
    );
  });
  await step('rpc_par', async () => {
    const r = await ask<RpcParDone>(
      pub,
      {
        type: 'rpc-par',
        name: 'bench.echo',
        inflight: RPC_INFLIGHT,
        warmupMs: WARMUP_MS,
        ms: SECONDS * 1000,
      },
      'rpc-par-done',
      SECONDS * 1000 + WARMUP_MS + STEP_MS,
    );
    f.rpc_calls_per_s_64 = r.calls / (r.elapsedMs / 1000);
    details.rpc_par = {
      inflight: RPC_INFLIGHT,
      calls: r.calls,
      errors: r.errors,
      elapsed_ms: round(r.elapsedMs, 1),
      caller_dht_gets: r.dhtGets,
      ...(r.firstError ? { first_error: r.firstError } : {}),
    };
    console.log(
      `  ${RPC_INFLIGHT} in flight: ${formatCell(f.rpc_calls_per_s_64, 0)} calls/s ` +
        `(${r.errors} errors, ${r.dhtGets} DHT gets)`,
    );
  });

  console.log(`1 → ${FANOUT} pub/sub (${FANOUT} subscriber processes)`);
  await step('pubsub_fanout5', async () => {
    await Promise.all(subs.map((s) => ask(s, { type: 'subscribe', topic: 'bench.fan' }, 'subscribed')));
    await ask(pub, { type: 'warm', topic: 'bench.fan', expect: FANOUT }, 'warmed');
    const before = await ask<Message>(pub, { type: 'stats' }, 'stats');
    details.fanout_publisher_connections = before.connections;
    f.pubsub_fanout5_deliveries_per_s = await floodPhase(pub, subs, 'bench.fan', 'pubsub_fanout5');
  });

  const stats = await Promise.all(
    all.map((c) => ask<Message>(c, { type: 'stats' }, 'stats').catch(() => undefined)),
  );
  details.node_stats = stats;
  return f;
}

/** Runs one child to its `result` (or error), then stops it. */
async function childResult<T>(entry: string, childArgs: string[], label: string, ms: number): Promise<T> {
  const c = new Child(new URL(entry, import.meta.url), {
    nodeFlags: ['--max-old-space-size=4096'],
    args: childArgs,
    label,
  });
  workers.push(c);
  try {
    return (await c.next<{ type: 'result'; figures: T }>('result', ms)).figures;
  } finally {
    await c.stop();
  }
}

let q: QuicFigures | undefined;
let models: ModelFigures[] = [];
let real: RealFigures | undefined;
try {
  if (QUIC) q = await step('quic', quic);
  if (SIM) {
    const sizes = [...new Set([...MODEL_SIZES, ...(REAL_NODES > 0 ? [REAL_NODES] : [])])].sort(
      (a, b) => a - b,
    );
    console.log(`\npublish cost: model at ${sizes.join(', ')} nodes (${SUBSCRIBER_NODES} subscriber nodes)`);
    models =
      (await step('model', () =>
        childResult<ModelFigures[]>(
          './sim.ts',
          [sizes.join(','), String(SUBSCRIBER_NODES), '10', '5'],
          'messaging model',
          900_000,
        ),
      )) ?? [];
    if (REAL_NODES > 0) {
      console.log(`publish cost: ${REAL_NODES} real nodes on the in-memory network`);
      real = await step('real_nodes', () =>
        childResult<RealFigures>(
          './real.ts',
          [String(REAL_NODES), String(SUBSCRIBER_NODES), '20'],
          'messaging real nodes',
          900_000,
        ),
      );
    }
  }
} finally {
  await Promise.all(workers.map((w) => withTimeout(w.stop(), 8_000, 'worker stop').catch(() => undefined)));
}
const m1000 = models.find((m) => m.nodes === 1000);

const num = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || Number.isNaN(v) ? null : round(v, digits);
const results = {
  pubsub_msgs_per_s: num(q?.pubsub_msgs_per_s, 0),
  pubsub_fanout5_deliveries_per_s: num(q?.pubsub_fanout5_deliveries_per_s, 0),
  latency_us_p50: num(q?.latency_us_p50),
  latency_us_p99: num(q?.latency_us_p99),
  rpc_us_p50: num(q?.rpc_us_p50),
  rpc_us_p99: num(q?.rpc_us_p99),
  rpc_calls_per_s_64: num(q?.rpc_calls_per_s_64, 0),
  sim1000_msgs_per_publish: num(m1000?.steady_msgs_mean, 1),
  sim1000_subscriber_nodes: m1000?.subscriber_nodes ?? null,
  sim1000_msgs_per_publish_cache_miss: num(m1000?.miss_msgs_mean, 1),
};

const cell = (v: number | null | undefined, d = 0) => formatCell(v ?? null, d);
const status = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'met' : 'NOT met');
const le = (v: number | null, t: number) => (v === null ? null : v <= t);
const ge = (v: number | null, t: number) => (v === null ? null : v >= t);
const loadEnd = os.loadavg().map((l) => round(l, 2));
console.log(
  `\nMessaging bench — ${meta.cpu_model}, ${meta.cores} cores, Node ${meta.node_version}; load average ` +
    `${meta.load_average_at_start.join(' ')} at the start, ${loadEnd.join(' ')} at the end\n`,
);
console.log(
  renderTable(
    ['metric', 'result', 'target', 'status'],
    [
      [
        'pub/sub 1 → 1, 100 B (msgs/s)',
        cell(results.pubsub_msgs_per_s),
        '>= 100,000 (seed: 10,000)',
        status(ge(results.pubsub_msgs_per_s, 100_000)),
      ],
      [
        `pub/sub 1 → ${FANOUT} (deliveries/s, summed)`,
        cell(results.pubsub_fanout5_deliveries_per_s),
        '—',
        '',
      ],
      [
        `latency p50, one-way, ${LATENCY_RATE} msg/s (µs)`,
        cell(results.latency_us_p50),
        '<= 500',
        status(le(results.latency_us_p50, 500)),
      ],
      [
        `latency p99, one-way, ${LATENCY_RATE} msg/s (µs)`,
        cell(results.latency_us_p99),
        '<= 3,000 (seed: < 10,000)',
        status(le(results.latency_us_p99, 3000)),
      ],
      ['RPC sequential p50 (µs)', cell(results.rpc_us_p50), '<= 500', status(le(results.rpc_us_p50, 500))],
      ['RPC sequential p99 (µs)', cell(results.rpc_us_p99), '—', ''],
      [
        `RPC calls/s, ${RPC_INFLIGHT} in flight`,
        cell(results.rpc_calls_per_s_64),
        '>= 30,000',
        status(ge(results.rpc_calls_per_s_64, 30_000)),
      ],
      [
        `1,000 nodes, model: frames/publish to ${SUBSCRIBER_NODES} subscriber nodes, list cached`,
        cell(results.sim1000_msgs_per_publish, 1),
        `~ ${SUBSCRIBER_NODES} + O(log N)`,
        status(le(results.sim1000_msgs_per_publish, SUBSCRIBER_NODES + 2 * Math.log2(1000))),
      ],
      [
        '1,000 nodes, model: frames/publish, cache miss',
        cell(results.sim1000_msgs_per_publish_cache_miss, 1),
        'never O(N)',
        status(le(results.sim1000_msgs_per_publish_cache_miss, 1000)),
      ],
    ],
  ),
);
console.log(
  '\nLatency is one-way (send time stamped in the payload on CLOCK_MONOTONIC, shared by every process).' +
    ` "list cached" passes if <= ${SUBSCRIBER_NODES} + 2·log2(N); "never O(N)" if < N.`,
);
if (models.length > 0) {
  const head = ['', ...models.map((m) => `model ${m.nodes}`), ...(real ? [`real ${real.nodes}`] : [])];
  const row = (label: string, pick: (m: ModelFigures) => string, pickReal: (r: RealFigures) => string) => [
    label,
    ...models.map(pick),
    ...(real ? [pickReal(real)] : []),
  ];
  console.log(
    `\nWhat one publish to ${SUBSCRIBER_NODES} subscriber nodes costs, in frames summed over all nodes ` +
      `(topic of depth 2: ${models[0]!.dht_keys} DHT keys)\n`,
  );
  console.log(
    renderTable(head, [
      row(
        'list cached: frames / publish',
        (m) => cell(m.steady_msgs_mean, 1),
        (r) => cell(r.steady_frames_mean, 1),
      ),
      row(
        '  delivered over a direct connection',
        (m) => `${cell(m.steady_direct_share * 100, 0)} %`,
        (r) => `${cell(r.steady_direct_share * 100, 0)} %`,
      ),
      row(
        '  links per routed delivery',
        (m) => cell(m.routed_links_mean, 2),
        (r) =>
          cell(
            1 + r.steady_forwards_mean / Math.max(1e-9, (1 - r.steady_direct_share) * r.subscriber_nodes),
            2,
          ),
      ),
      row(
        '  samples left out (some keys re-read)',
        () => '—',
        (r) => `${r.partial_samples} of ${r.partial_samples + r.steady_samples + r.miss_samples}`,
      ),
      row(
        'cache miss: frames / publish',
        (m) => cell(m.miss_msgs_mean, 1),
        (r) => cell(r.miss_frames_mean, 1),
      ),
      row(
        '  lookup frames per DHT key',
        (m) => cell(m.lookup_msgs_per_key, 1),
        (r) => cell((2 * r.miss_lookup_queries_mean) / models[0]!.dht_keys, 1),
      ),
      row(
        '  connections dialled',
        (m) => cell(m.miss_dials_mean, 1),
        (r) => cell(r.miss_dials_mean, 1),
      ),
      row(
        'wall time (s)',
        (m) => cell(m.wall_s, 1),
        (r) => cell(r.wall_s, 1),
      ),
    ]),
  );
}

const partial = !QUIC || !SIM;
mkdirSync(RESULTS_DIR, { recursive: true });
const out = partial ? `${RESULTS_DIR}/messaging-partial.tmp` : `${RESULTS_DIR}/messaging.json`;
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
if (!partial) {
  const metaOut = {
    ...meta,
    load_average_at_end: loadEnd,
    duration_s: round((nowMs() - startedAt) / 1000, 1),
    command: 'npm run bench:messaging',
    workload: {
      payload_bytes: 100,
      qos: 'at-most-once',
      seconds_per_throughput_phase: SECONDS,
      warmup_ms: WARMUP_MS,
      latency: { rate_per_s: LATENCY_RATE, ms: LATENCY_MS },
      rpc: { sequential_calls: RPC_SEQ, inflight: RPC_INFLIGHT },
      fanout: FANOUT,
      publish_cost: { subscriber_nodes: SUBSCRIBER_NODES, model_sizes: MODEL_SIZES, real_nodes: REAL_NODES },
    },
    details,
    model: models,
    real_nodes: real ?? null,
    errors,
  };
  writeFileSync(`${RESULTS_DIR}/messaging.meta.json`, `${JSON.stringify(metaOut, null, 2)}\n`);
}
console.log(`\nwrote ${out.slice(repoRoot.length)} (${round((nowMs() - startedAt) / 1000, 1)} s)`);
process.exit(Object.keys(errors).length > 0 ? 1 : 0);
