/**
 * `npm run bench:gc`: two patterns that made V8's minor GCs copy and promote every
 * call's objects (see src/runtime/churn.ts and src/node/rpc-inflight.ts), each against
 * what replaced it, in fresh processes (gc-case.ts), ROUNDS rounds interleaved; medians.
 * Writes bench/results/gc.json and gc.meta.json.
 */
import { Child } from '../lib/child.js';
import { machineInfo } from '../lib/machine.js';
import { writeResults } from '../lib/report.js';
import { median, round } from '../lib/stats.js';
import { formatCell, renderTable } from '../lib/table.js';
import { nowMs } from '../lib/time.js';
import type { GcCase } from './gc-case.js';

const ROUNDS = Number(process.env.BENCH_GC_ROUNDS ?? 3);
const PAIRS: [string, string][] = [
  ['map-after-idle', 'churnmap-after-idle'],
  ['literal-getter', 'class-getter'],
];

const meta = machineInfo();
const startedAt = nowMs();
const runs = new Map<string, GcCase[]>();

async function runCase(name: string): Promise<GcCase> {
  const c = new Child(new URL('./gc-case.ts', import.meta.url), {
    nodeFlags: ['--expose-gc'],
    args: [name],
    label: `gc ${name}`,
  });
  try {
    return (await c.next<{ type: 'result'; figures: GcCase }>('result', 60_000)).figures;
  } finally {
    await c.stop();
  }
}

for (let r = 0; r < ROUNDS; r++)
  for (const name of PAIRS.flat()) {
    const list = runs.get(name) ?? [];
    list.push(await runCase(name));
    runs.set(name, list);
  }

const med = (name: string, pick: (c: GcCase) => number) => median((runs.get(name) ?? []).map(pick));
const results: Record<string, Record<string, number>> = {};
for (const name of PAIRS.flat())
  results[name] = {
    ops_per_ms: round(
      med(name, (c) => c.ops_per_ms),
      0,
    ),
    minor_gc_ms_mean: round(
      med(name, (c) => c.minor_gc_ms_mean),
      2,
    ),
    minor_gc_us_per_1000_ops: round(
      med(name, (c) => c.minor_gc_us_per_1000_ops),
      1,
    ),
  };

const rows = PAIRS.map(([before, after]) => {
  const b = results[before]!;
  const a = results[after]!;
  return [
    `${before} → ${after}`,
    `${formatCell(b.ops_per_ms!, 0)} → ${formatCell(a.ops_per_ms!, 0)}`,
    `${formatCell(a.ops_per_ms! / b.ops_per_ms!, 1)}×`,
    `${formatCell(b.minor_gc_ms_mean!, 2)} → ${formatCell(a.minor_gc_ms_mean!, 2)}`,
    `${formatCell(b.minor_gc_us_per_1000_ops!, 1)} → ${formatCell(a.minor_gc_us_per_1000_ops!, 1)}`,
  ];
});
console.log(
  `\nGC patterns — ${meta.cpu_model}, ${meta.cores} cores, Node ${meta.node_version}; median of ${ROUNDS}\n`,
);
console.log(
  renderTable(
    ['case (before → after)', 'ops/ms', 'ratio', 'minor GC ms (mean)', 'minor GC µs / 1,000 ops'],
    rows,
  ),
);
writeResults('gc', results, meta, startedAt, 'npm run bench:gc', {
  rounds: ROUNDS,
  runs: Object.fromEntries(runs),
});
console.log('\nwrote bench/results/gc.json');
