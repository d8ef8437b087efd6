/**
 * `npm run bench:membership`: SWIM + Lifeguard on the simulated network (src/sim), at 100,
 * 1,000 and 10,000 nodes, each size in its own process (scenario.ts) with the heap it needs.
 *
 * - 100 and 1,000 nodes: formation by joins 20 ms apart, one more join's dissemination,
 *   steady-state traffic, 10 % killed at once, then 30 simulated minutes of 5 % loss
 *   counting false positives; at 100 nodes also a partition/heal and a slow node.
 * - 10,000 nodes: a converged start, one measured join and a 1 % kill, 5 simulated minutes.
 *
 * Writes `bench/results/membership.json` ({ nodes_<N>: figures }, other keys kept) and
 * membership.meta.json. `--quick` (or BENCH_MEMBERSHIP_QUICK=1): 100 and 1,000 nodes with
 * 1 minute of loss, written to bench/results/membership-quick.tmp instead.
 * BENCH_MEMBERSHIP_SIZES=100,1000 picks sizes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Child, repoRoot } from '../lib/child.js';
import { machineInfo } from '../lib/machine.js';
import { metaRecord, writeResultFile } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { formatCell, renderTable } from '../lib/table.js';
import { errorMessage, nowMs } from '../lib/time.js';
import type { Figures } from './scenario.js';

const quick = process.argv.includes('--quick') || process.env.BENCH_MEMBERSHIP_QUICK === '1';
const RESULTS_DIR = `${repoRoot}bench/results`;
const RESULTS = `${RESULTS_DIR}/${quick ? 'membership-quick.tmp' : 'membership.json'}`;

interface Plan {
  nodes: number;
  lossMinutes: number;
  flags: string[];
  heapMb: number;
}

const plans: Plan[] = [
  { nodes: 100, lossMinutes: quick ? 1 : 30, flags: ['extras'], heapMb: 1024 },
  { nodes: 1000, lossMinutes: quick ? 1 : 30, flags: [], heapMb: 4096 },
  { nodes: 10_000, lossMinutes: 0, flags: ['converged'], heapMb: 12_288 },
];
const sizes = (process.env.BENCH_MEMBERSHIP_SIZES ?? (quick ? '100,1000' : '100,1000,10000'))
  .split(',')
  .map(Number);

const meta = machineInfo();
const startedAt = nowMs();
console.log(
  `macula membership bench${quick ? ' (quick)' : ''} (load average ${meta.load_average_at_start.join(' ')})`,
);

const figures: Figures[] = [];
const errors: Record<string, string> = {};
for (const plan of plans.filter((p) => sizes.includes(p.nodes))) {
  console.log(`\n${plan.nodes} nodes…`);
  const child = new Child(new URL('./scenario.ts', import.meta.url), {
    nodeFlags: [`--max-old-space-size=${plan.heapMb}`],
    args: [String(plan.nodes), String(plan.lossMinutes), ...plan.flags],
    label: `membership ${plan.nodes}`,
  });
  try {
    const m = await child.next<{ type: 'result'; figures: Figures }>('result', 3 * 3600_000);
    figures.push(m.figures);
  } catch (e) {
    errors[`nodes_${plan.nodes}`] = errorMessage(e);
    console.error(`${plan.nodes} nodes FAILED: ${errors[`nodes_${plan.nodes}`]}`);
  } finally {
    await child.stop();
  }
}

const cell = (v: number | null | undefined, d = 2) => formatCell(v ?? null, d);
const row = (label: string, pick: (f: Figures) => string) => [label, ...figures.map(pick)];
console.log(
  `\nMembership bench — ${meta.cpu_model}, ${meta.cores} cores, Node ${meta.node_version}; simulated network (1 ms ± 0.5 ms, codec-exact bytes)\n`,
);
console.log(
  renderTable(
    ['', ...figures.map((f) => `${f.nodes} nodes`)],
    [
      row('formation (simulated s)', (f) => cell(f.formation_s, 1)),
      row('join known by all (periods)', (f) => cell(f.dissemination_periods)),
      row('bytes / node / s (steady)', (f) => cell(f.bytes_per_node_per_s, 0)),
      row('msgs / node / s (steady)', (f) => cell(f.msgs_per_node_per_s)),
      row('push-pull bytes / node / s', (f) => cell(f.push_pull_bytes_per_node_per_s, 0)),
      row('nodes killed at once', (f) => `${cell(f.killed_fraction * 100, 0)} %`),
      row('kill: detection p50 (s)', (f) => cell(f.detect_s_p50)),
      row('kill: detection p99 (s)', (f) => cell(f.detect_s_p99)),
      row('kill: all survivors know (s)', (f) => cell(f.detect_all_s_max)),
      row('5 % loss (simulated min)', (f) => cell(f.loss_minutes, 0)),
      row('false positives (loss phase)', (f) => cell(f.loss_false_positives, 0)),
      row('false positives (whole run)', (f) => cell(f.false_positives, 0)),
      row('partition: sides apart / healed (s)', (f) =>
        f.partition_apart_s === null
          ? 'n/a'
          : `${cell(f.partition_apart_s, 1)} / ${cell(f.partition_heal_s, 1)}`,
      ),
      row('slow node: false positives', (f) => cell(f.slow_node_false_positives, 0)),
      row('simulated minutes', (f) => cell(f.sim_minutes, 1)),
      row('wall time (s)', (f) => cell(f.sim_wall_s, 1)),
      row('peak RSS (MB)', (f) => cell(f.rss_mb, 0)),
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
    Object.entries(f).map(([k, v]) => [k, typeof v === 'number' ? round(v, 3) : v]),
  );
}
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
if (!quick) {
  writeResultFile(
    'membership.meta.json',
    metaRecord(meta, startedAt, 'npm run bench:membership', { errors }),
  );
}
console.log(`\nwrote ${RESULTS.slice(repoRoot.length)} (${round((nowMs() - startedAt) / 1000, 1)} s)`);
process.exit(Object.keys(errors).length > 0 ? 1 : 0);
