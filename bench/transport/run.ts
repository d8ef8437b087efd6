/**
 * `npm run bench:transport`: macula vs @matrixai/quic vs libp2p QUIC on loopback.
 *
 * For each implementation: a server in a child process (server.ts), the workloads from this
 * process (workloads.ts), and RSS per idle connection from a fresh child with --expose-gc
 * (rss-client.ts). A failure records null for the affected metrics and the run goes on.
 * Writes bench/results/transport.json and transport.meta.json.
 *
 * Options: `--only macula,matrixai` runs a subset and writes no files; `--markdown` also
 * prints the table as Markdown.
 */
import { Child } from '../lib/child.js';
import { machineInfo } from '../lib/machine.js';
import { writeResults } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { renderMarkdownTable, renderTable } from '../lib/table.js';
import { errorMessage, nowMs, withTimeout } from '../lib/time.js';
import { type BenchClient, type BenchConnection, IMPLEMENTATIONS, type ImplName } from './adapter.js';
import { makeTlsMaterial } from './certs.js';
import { loadAdapter } from './impl/index.js';
import type { RssResult, RunRss, ServerReady, StartServer } from './messages.js';
import { emptyResults, type MetricKey, type Results, resultsTable, TABLE_FOOTNOTE } from './metrics.js';
import { measureConnect, measureOneWay, measureRtt, measureStreams, WORKLOAD } from './workloads.js';

const TOTAL_LIMIT_MS = 285_000;

const args = process.argv.slice(2);
const onlyArg = args.find((a) => a.startsWith('--only'));
const onlyValue = onlyArg?.includes('=')
  ? onlyArg.split('=')[1]
  : onlyArg
    ? args[args.indexOf(onlyArg) + 1]
    : undefined;
const selected: ImplName[] = onlyValue
  ? IMPLEMENTATIONS.filter((i) => onlyValue.split(',').includes(i))
  : [...IMPLEMENTATIONS];
const writeFiles = selected.length === IMPLEMENTATIONS.length;
const markdown = args.includes('--markdown');

const startedAt = nowMs();
const meta = machineInfo();
const results: Results = emptyResults();
const errors: Record<string, Record<string, string>> = {};
const details: Record<string, Record<string, unknown>> = {};
const descriptions: Record<string, string> = {};
let current: ImplName | undefined;

function recordError(impl: ImplName, step: string, e: unknown): void {
  const message = errorMessage(e);
  errors[impl] ??= {};
  errors[impl][step] ??= message;
  console.error(`  ${impl} ${step}: FAILED: ${message}`);
}

// A library throwing from a callback must not end the run: charge it to the implementation under test.
process.on('uncaughtException', (e) => recordError(current ?? 'macula', 'uncaught', e));
process.on('unhandledRejection', (e) => recordError(current ?? 'macula', 'unhandled-rejection', e));

function set(impl: ImplName, key: MetricKey, value: number): void {
  results[impl][key] = round(value, 3);
}

async function step(impl: ImplName, name: string, limitMs: number, fn: () => Promise<void>): Promise<void> {
  const t0 = nowMs();
  try {
    await withTimeout(fn(), limitMs, name);
    console.log(`  ${impl} ${name}: ok (${((nowMs() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    recordError(impl, name, e);
  }
}

async function benchImplementation(
  impl: ImplName,
  tls: Awaited<ReturnType<typeof makeTlsMaterial>>,
): Promise<void> {
  current = impl;
  details[impl] = {};
  const d = details[impl];
  console.log(`\n[${impl}]`);
  const server = new Child(new URL('./server.ts', import.meta.url), { label: `${impl} server` });
  let client: BenchClient | undefined;
  let main: BenchConnection | undefined;
  try {
    const start: StartServer = { type: 'start', impl, tls };
    server.send(start);
    const { target } = await server.next<ServerReady>('ready', 30_000);
    const adapter = await loadAdapter(impl);
    descriptions[impl] = adapter.description;
    client = await adapter.createClient(tls);
    const c = client;

    await step(impl, 'connect', 40_000, async () => {
      const r = await measureConnect(c, target);
      set(impl, 'connect_ms_p50', r.p50);
      d.connect = {
        first_ms: round(r.firstMs, 3),
        tls_resumed: r.resumed,
        samples_ms: r.samples.map((s) => round(s, 3)),
      };
    });

    await step(impl, 'open main connection', 15_000, async () => {
      main = await c.connect(target);
    });
    const conn = main;
    if (conn) {
      await step(impl, 'rtt', 60_000, async () => {
        const r = await measureRtt(conn);
        set(impl, 'rtt_us_p50', r.p50);
        set(impl, 'rtt_us_p99', r.p99);
      });
      await step(impl, 'throughput_1k', 45_000, async () => {
        const r = await measureOneWay(conn, 1024);
        set(impl, 'throughput_1k_mbps', r.megabytesPerSecond);
        d.throughput_1k = { bytes: r.bytes, seconds: round(r.seconds, 3) };
      });
      await step(impl, 'msgs_100b', 45_000, async () => {
        const r = await measureOneWay(conn, 100);
        set(impl, 'msgs_100b_per_s', r.messagesPerSecond);
        d.msgs_100b = {
          messages: r.messages,
          seconds: round(r.seconds, 3),
          mb_per_s: round(r.megabytesPerSecond, 3),
        };
      });
    }

    await step(impl, 'streams_1000', WORKLOAD.streams.deadlineMs + 15_000, async () => {
      const fresh = await c.connect(target);
      try {
        const r = await measureStreams(fresh);
        set(impl, 'streams_1000_completed', r.completed);
        set(impl, 'streams_1000_ms', r.ms);
        d.streams_1000 = r;
        if (r.completed < WORKLOAD.streams.count) {
          // Metrics above stay recorded; the step is reported as failed with the reason.
          const why = r.firstError === undefined ? '' : `; first error: ${r.firstError}`;
          const deadlineS = WORKLOAD.streams.deadlineMs / 1000;
          throw new Error(
            `${r.completed} completed, ${r.failed} failed, ${r.pending} still pending at the ${deadlineS} s deadline${why}`,
          );
        }
      } finally {
        await withTimeout(fresh.close(), 5000, 'close').catch(() => undefined);
      }
    });

    await step(impl, 'rss', 90_000, async () => {
      const child = new Child(new URL('./rss-client.ts', import.meta.url), {
        label: `${impl} rss-client`,
        nodeFlags: ['--expose-gc'],
      });
      try {
        const run: RunRss = { type: 'run', impl, tls, target, ...WORKLOAD.rss };
        child.send(run);
        const r = await child.next<RssResult>('result', 85_000);
        set(impl, 'rss_kb_per_conn', r.kbPerConnection);
        d.rss = {
          before_kb: round(r.rssBeforeKb, 0),
          after_kb: round(r.rssAfterKb, 0),
          connections: r.opened,
          heap_used_kb_per_conn: round(r.heapUsedKbPerConnection, 1),
          external_kb_per_conn: round(r.externalKbPerConnection, 1),
        };
      } finally {
        await child.stop(1000);
      }
    });
  } catch (e) {
    recordError(impl, 'setup', e);
  } finally {
    if (main) await withTimeout(main.close(), 5000, 'close').catch(() => undefined);
    if (client) await withTimeout(client.close(), 5000, 'client close').catch(() => undefined);
    await server.stop(2000);
  }
}

function report(limitHit: boolean): void {
  const { header, rows } = resultsTable(results);
  const align = header.map((_, i) => (i < 2 ? 'left' : 'right') as 'left' | 'right');
  console.log(
    `\nTransport bench (loopback, server in a child process) — ${meta.cpu_model}, ${meta.cores} cores, Node ${meta.node_version}`,
  );
  console.log(renderTable(header, rows, align));
  console.log(TABLE_FOOTNOTE);
  if (markdown) console.log(`\n${renderMarkdownTable(header, rows, align)}`);
  for (const [impl, errs] of Object.entries(errors)) {
    for (const [s, msg] of Object.entries(errs)) console.log(`! ${impl} ${s}: ${msg}`);
  }
  if (!writeFiles) {
    console.log('\n(--only: results files not written)');
    return;
  }
  const metaOut = writeResults('transport', results, meta, startedAt, 'npm run bench:transport', {
    time_limit_hit: limitHit,
    workload: WORKLOAD,
    implementations: descriptions,
    errors,
    details,
  });
  console.log(`\nwrote bench/results/transport.json and transport.meta.json (${metaOut.duration_s} s)`);
}

const watchdog = setTimeout(() => {
  console.error(`\ntime limit (${TOTAL_LIMIT_MS / 1000} s) hit: reporting what was measured`);
  if (current) recordError(current, 'time-limit', 'the whole bench exceeded its time limit');
  report(true);
  process.exit(1);
}, TOTAL_LIMIT_MS);
watchdog.unref();

console.log(
  `macula transport bench: ${selected.join(', ')} (load average ${meta.load_average_at_start.join(' ')})`,
);
const tls = await makeTlsMaterial();
for (const impl of selected) await benchImplementation(impl, tls);
clearTimeout(watchdog);
report(false);
process.exit(0);
