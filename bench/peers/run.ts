/**
 * `npm run bench:peers`: macula next to NATS and js-libp2p on the same workloads, in one run.
 *
 * Each system gets two processes on loopback, a publisher/requester and a
 * subscriber/responder (plus, for NATS, a nats-server of its own): macula over QUIC
 * (bench/messaging/worker.ts), NATS through nats-server and the `nats` client, libp2p
 * gossipsub over TCP and, as an extra, over QUIC. Workloads (phases.ts), 100 B payloads:
 * pub/sub throughput 1 → 1, one-way latency at 1,000 msg/s, sequential request/reply, and
 * request/reply with 64 in flight; then the RSS of the subscriber/responder process.
 *
 * Writes bench/results/peers.json and peers.meta.json. Options: `--quick` (shorter phases),
 * `--only macula,nats` (a subset), `--seconds N` (measured window of the throughput phases);
 * any of them writes no files. `--markdown` also prints the table as Markdown.
 */
import { machineInfo } from '../lib/machine.js';
import { processRssMiB } from '../lib/memory.js';
import { writeResults } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { errorMessage, nowMs } from '../lib/time.js';
import { ensureNatsServer } from './nats-server.js';
import { latency, requestParallel, requestSequential, throughput } from './phases.js';
import { emptyFigures, type Figures, SYSTEMS, type SystemName, workload } from './protocol.js';
import { renderPeersTable, TABLE_NOTE, versions } from './report.js';
import { type Pair, setup } from './setup.js';

const TOTAL_LIMIT_MS = 570_000;
/** The systems whose failure fails the run; libp2p_quic is an extra. */
const REQUIRED: readonly SystemName[] = ['macula', 'nats', 'libp2p'];

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
};
const quick = args.includes('--quick');
const only = arg('only')?.split(',');
const unknown = only?.filter((s) => !(SYSTEMS as readonly string[]).includes(s)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown system(s) ${unknown.join(', ')}; choose from ${SYSTEMS.join(', ')}`);
  process.exit(2);
}
const selected = SYSTEMS.filter((s) => !only || only.includes(s));
const seconds = arg('seconds') === undefined ? undefined : Number(arg('seconds'));
if (seconds !== undefined && !(seconds > 0)) {
  console.error('--seconds needs a positive number');
  process.exit(2);
}
const writeFiles = !quick && !only && seconds === undefined;
const w = workload(quick, seconds);

const startedAt = nowMs();
const machine = machineInfo();
const results: Partial<Record<SystemName, Figures>> = {};
const errors: Partial<Record<SystemName, Record<string, string>>> = {};
const details: Partial<Record<SystemName, Record<string, unknown>>> = {};
const descriptions: Partial<Record<SystemName, string>> = {};
const warnings: string[] = [];
let natsBin: string | undefined;
let current: SystemName = selected[0]!;

function recordError(system: SystemName, step: string, e: unknown): void {
  errors[system] ??= {};
  const bySystem = errors[system];
  bySystem[step] ??= errorMessage(e);
  console.error(`  ${system} ${step}: FAILED: ${bySystem[step]}`);
}

/** Not a failure, but the reader must see it: printed with the table, kept in the meta file. */
function warn(system: SystemName, message: string): void {
  warnings.push(`${system} ${message}`);
  console.log(`  ${system} WARNING: ${message}`);
}

// A library throwing from a callback must not end the run: charge it to the system under test.
process.on('uncaughtException', (e) => recordError(current, 'uncaught', e));
process.on('unhandledRejection', (e) => recordError(current, 'unhandled-rejection', e));

/** Runs one step; `summary` says what it measured. A failure is recorded and the run goes on. */
async function step<T>(
  system: SystemName,
  name: string,
  fn: () => Promise<T>,
  summary: (r: T) => string = () => 'ok',
): Promise<T | undefined> {
  const t0 = nowMs();
  try {
    const r = await fn();
    console.log(`  ${name}: ${summary(r)} (${((nowMs() - t0) / 1000).toFixed(1)} s)`);
    return r;
  } catch (e) {
    recordError(system, name, e);
    return undefined;
  }
}

async function bench(system: SystemName): Promise<void> {
  current = system;
  const f = emptyFigures();
  results[system] = f;
  const d: Record<string, unknown> = {};
  details[system] = d;
  console.log(`\n[${system}]`);
  if (system === 'nats' && !natsBin) return;
  let pair: Pair | undefined;
  try {
    pair = await step(system, 'setup', () => setup(system, natsBin));
    if (!pair) return;
    descriptions[system] = pair.description;
    const { pub, sub } = pair;
    await step(
      system,
      'pubsub',
      async () => {
        const r = await throughput(pub, sub, w);
        d.pubsub = r.details;
        const { published, received } = r.details;
        if (r.rate === null) {
          const short = r.details.receipts_without_the_subscriber;
          const why =
            short === undefined ? '' : ` (${short} of the publish receipts did not list the subscriber)`;
          throw new Error(`the subscriber received ${received} of ${published} messages${why}`);
        }
        f.pubsub_msgs_per_s = round(r.rate, 0);
        if (received < published)
          warn(system, `pubsub: ${published - received} of ${published} messages lost`);
        return `${f.pubsub_msgs_per_s} msg/s received (${received} of ${published}; publisher ${r.details.publisher_rate_per_s}/s)`;
      },
      String,
    );
    await step(
      system,
      'latency',
      async () => {
        const r = await latency(pub, sub, w);
        const { sent, received } = r.details;
        if (received < sent) warn(system, `latency: ${sent - received} of ${sent} messages lost`);
        f.latency_us_p50 = round(r.p50, 1);
        f.latency_us_p99 = round(r.p99, 1);
        d.latency = r.details;
        return `one-way p50 ${f.latency_us_p50} µs, p99 ${f.latency_us_p99} µs (${received} of ${sent})`;
      },
      String,
    );
    await step(
      system,
      'reqrep_sequential',
      async () => {
        const r = await requestSequential(pub, w);
        f.reqrep_us_p50 = round(r.p50, 1);
        d.reqrep_sequential = r.details;
        return `p50 ${f.reqrep_us_p50} µs, p99 ${r.details.p99_us} µs`;
      },
      String,
    );
    await step(
      system,
      'reqrep_64',
      async () => {
        const r = await requestParallel(pub, w);
        f.reqrep_per_s_64 = round(r.rate, 0);
        d.reqrep_64 = r.details;
        if (r.details.errors > 0)
          warn(system, `reqrep_64: ${r.details.errors} requests failed (${r.details.first_error})`);
        return `${f.reqrep_per_s_64} req/s with ${w.reqrep_inflight} in flight`;
      },
      String,
    );
    const rss = processRssMiB(sub.pid);
    if (rss === null) recordError(system, 'rss', `could not read /proc/${sub.pid}/status`);
    else f.rss_mb = round(rss, 1);
    const broker = pair.server?.rssMiB() ?? null;
    if (broker !== null) d.nats_server_rss_mb = round(broker, 1);
    const publisher = processRssMiB(pub.pid);
    if (publisher !== null) d.publisher_rss_mb = round(publisher, 1);
  } finally {
    await pair?.stop();
  }
}

function finish(limitHit: boolean): never {
  console.log(
    `\nPeers bench (loopback, 100 B payloads) — ${machine.cpu_model}, ${machine.cores} cores, ` +
      `Node ${machine.node_version}, load average ${machine.load_average_at_start.join(' ')} at the start\n`,
  );
  console.log(renderPeersTable(results));
  console.log(TABLE_NOTE);
  const broker = details.nats?.nats_server_rss_mb;
  if (broker !== undefined) console.log(`nats-server RSS at the end: ${broker} MiB (not in rss_mb).`);
  if (args.includes('--markdown')) console.log(`\n${renderPeersTable(results, true)}`);
  for (const [system, errs] of Object.entries(errors)) {
    for (const [s, msg] of Object.entries(errs)) console.log(`! ${system} ${s}: ${msg}`);
  }
  for (const m of warnings) console.log(`! warning: ${m}`);
  const failed = REQUIRED.some((s) => errors[s] !== undefined);
  if (!writeFiles) {
    console.log('\n(--quick, --only or --seconds: results files not written)');
    process.exit(failed || limitHit ? 1 : 0);
  }
  const quic = results.libp2p_quic;
  const out: Partial<Record<SystemName, Figures>> = { ...results };
  // libp2p_quic is listed only if it measured something.
  if (!quic || Object.values(quic).every((v) => v === null)) delete out.libp2p_quic;
  const meta = writeResults('peers', out, machine, startedAt, 'npm run bench:peers', {
    time_limit_hit: limitHit,
    versions: versions(natsBin),
    workload: w,
    systems: descriptions,
    rss_definition:
      'rss_mb: VmRSS of the subscriber/responder process (/proc/<pid>/status) after the four phases, in MiB (2^20 B); nats-server is not included (details.nats.nats_server_rss_mb)',
    errors,
    warnings,
    details,
  });
  console.log(`\nwrote bench/results/peers.json and peers.meta.json (${meta.duration_s} s)`);
  process.exit(failed || limitHit ? 1 : 0);
}

const watchdog = setTimeout(() => {
  console.error(`\ntime limit (${TOTAL_LIMIT_MS / 1000} s) hit: reporting what was measured`);
  recordError(current, 'time-limit', 'the whole bench exceeded its time limit');
  finish(true);
}, TOTAL_LIMIT_MS);
watchdog.unref();

console.log(
  `macula peers bench${quick ? ' (quick)' : ''}: ${selected.join(', ')} (load average ${machine.load_average_at_start.join(' ')})`,
);
if (selected.includes('nats')) {
  try {
    natsBin = await ensureNatsServer();
    console.log(`nats-server: ${natsBin}`);
  } catch (e) {
    recordError('nats', 'setup', e);
  }
}
for (const system of selected) await bench(system);
clearTimeout(watchdog);
finish(false);
