/**
 * `npm run bench:routing`: Kademlia routing on simulated networks (src/sim) at 1,000 and
 * 10,000 nodes, each size and part in its own process (scenario.ts).
 *
 * - Lookups (LookupSim): tables fed by traffic as nodes join; success, hops, messages,
 *   stable and with 10 % of the nodes killed without notice.
 * - Routed messages (RouteSim): tables fed by membership, greedy hop by hop with fallback
 *   to the next-best hop; stable, in the window where the dead are still in tables, and
 *   once membership removed them.
 *
 * Writes `bench/results/routing.json` ({ nodes_<N>: figures }, other keys kept) and
 * routing.meta.json. `--quick` (or BENCH_ROUTING_QUICK=1): 200 and 1,000 nodes with fewer
 * lookups, written to bench/results/routing-quick.tmp instead. BENCH_ROUTING_SIZES=1000
 * picks sizes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Child, repoRoot } from '../lib/child.js';
import { machineInfo } from '../lib/machine.js';
import { metaRecord, writeResultFile } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { formatCell, renderTable } from '../lib/table.js';
import { errorMessage, nowMs } from '../lib/time.js';
import type { Figures, LookupFigures, RouteFigures } from './scenario.js';

const quick = process.argv.includes('--quick') || process.env.BENCH_ROUTING_QUICK === '1';
const RESULTS_DIR = `${repoRoot}bench/results`;
const RESULTS = `${RESULTS_DIR}/${quick ? 'routing-quick.tmp' : 'routing.json'}`;
const LOOKUPS = quick ? 200 : 1000;
const ROUTES = quick ? 1000 : 5000;
const sizes = (process.env.BENCH_ROUTING_SIZES ?? (quick ? '200,1000' : '1000,10000')).split(',').map(Number);

const meta = machineInfo();
const startedAt = nowMs();
console.log(
  `macula routing bench${quick ? ' (quick)' : ''} (load average ${meta.load_average_at_start.join(' ')})`,
);

/** Runs one part of one size in its own process. */
async function part<T>(nodes: number, name: 'route' | 'lookup', runs: number): Promise<T> {
  const child = new Child(new URL('./scenario.ts', import.meta.url), {
    nodeFlags: ['--max-old-space-size=4096'],
    args: [String(nodes), name, String(runs)],
    label: `routing ${nodes} ${name}`,
  });
  try {
    return (await child.next<{ type: 'result'; figures: T }>('result', 3600_000)).figures;
  } finally {
    await child.stop();
  }
}

const figures: Figures[] = [];
const errors: Record<string, string> = {};
for (const nodes of sizes) {
  console.log(`\n${nodes} nodes…`);
  try {
    const r = await part<RouteFigures>(nodes, 'route', ROUTES);
    const l = await part<LookupFigures>(nodes, 'lookup', LOOKUPS);
    figures.push({
      nodes,
      ...l,
      ...r,
      sim_wall_s: r.route_wall_s + l.lookup_wall_s,
      rss_mb: Math.max(r.route_rss_mb, l.lookup_rss_mb),
    });
  } catch (e) {
    errors[`nodes_${nodes}`] = errorMessage(e);
    console.error(`${nodes} nodes FAILED: ${errors[`nodes_${nodes}`]}`);
  }
}

const cell = (v: number | null | undefined, d = 2) => formatCell(v ?? null, d);
const pct = (v: number) => `${formatCell(v * 100, 2)} %`;
const row = (label: string, pick: (f: Figures) => string) => [label, ...figures.map(pick)];
console.log(
  `\nRouting bench — ${meta.cpu_model}, ${meta.cores} cores, Node ${meta.node_version}; k = 20, alpha = 3; ` +
    `${LOOKUPS} lookups and ${ROUTES} routed messages per phase\n`,
);
console.log(
  renderTable(
    ['', ...figures.map((f) => `${f.nodes} nodes`)],
    [
      row('lookup: success (stable)', (f) => pct(f.lookup_success)),
      row('lookup: success (10 % killed)', (f) => pct(f.lookup_success_churn10)),
      row('lookup: hops mean / p99', (f) => `${cell(f.hops_mean)} / ${cell(f.hops_p99, 0)}`),
      row('  target: mean <= log2(N)/2', (f) => cell(Math.log2(f.nodes) / 2)),
      row('lookup: messages / lookup', (f) => cell(f.msgs_per_lookup, 1)),
      row('lookup: timeouts / lookup (10 % killed)', (f) => cell(f.lookup_timeouts_churn10)),
      row('lookup: mean table (traffic-fed)', (f) => cell(f.lookup_table_mean, 1)),
      row('route: delivered (stable)', (f) => pct(f.route_success)),
      row('route: delivered (10 % killed, in tables)', (f) => pct(f.route_success_churn10)),
      row('route: delivered (10 % killed, removed)', (f) => pct(f.route_success_churn10_removed)),
      row(
        'route: hops mean / p99 (stable)',
        (f) => `${cell(f.route_hops_mean)} / ${cell(f.route_hops_p99, 0)}`,
      ),
      row(
        'route: hops p99 (killed, in tables / removed)',
        (f) => `${cell(f.route_hops_p99_churn10, 0)} / ${cell(f.route_hops_p99_churn10_removed, 0)}`,
      ),
      row('  target: p99 <= log2(N)', (f) => cell(Math.log2(f.nodes))),
      row('route: dead hops tried / message', (f) => cell(f.route_timeouts_churn10, 3)),
      row('route: mean table (membership-fed)', (f) => cell(f.route_table_mean, 1)),
      row(
        'build wall (s): route / lookup',
        (f) => `${cell(f.route_build_wall_s, 1)} / ${cell(f.lookup_build_wall_s, 1)}`,
      ),
      row('wall time (s): route / lookup', (f) => `${cell(f.route_wall_s, 1)} / ${cell(f.lookup_wall_s, 1)}`),
      row('peak RSS (MB): route / lookup', (f) => `${cell(f.route_rss_mb, 0)} / ${cell(f.lookup_rss_mb, 0)}`),
    ],
  ),
);

// Merge: keys written by other runs are kept.
let previous: Record<string, unknown> = {};
if (existsSync(RESULTS)) {
  try {
    previous = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  } catch {
    previous = {};
  }
}
const results: Record<string, unknown> = { ...previous };
for (const f of figures) {
  results[`nodes_${f.nodes}`] = Object.fromEntries(
    Object.entries(f).map(([k, v]) => [k, typeof v === 'number' ? round(v, 4) : v]),
  );
}
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
if (!quick) {
  const metaOut = metaRecord(meta, startedAt, 'npm run bench:routing', {
    lookups_per_phase: LOOKUPS,
    routes_per_phase: ROUTES,
    errors,
  });
  writeResultFile('routing.meta.json', metaOut);
}
console.log(`\nwrote ${RESULTS.slice(repoRoot.length)} (${round((nowMs() - startedAt) / 1000, 1)} s)`);
process.exit(Object.keys(errors).length > 0 ? 1 : 0);
