/**
 * One size of the membership bench, in its own process (run.ts spawns it with the heap it
 * needs, so its peak RSS is its own). Sends `{ type: 'result', figures }` to the parent.
 *
 * Args: nodes, loss minutes (0 = skip), `converged` to start from a converged view
 * (10,000 nodes) instead of joining every node, `extras` for partition/heal and slow node.
 */
import { measureJoin, measureKill, measureTraffic, SwimCluster } from '../../src/sim/index.js';
import { exitWithParent, sendToParent } from '../lib/child.js';
import { errorMessage } from '../lib/time.js';

export interface Figures {
  nodes: number;
  formation_s: number | null;
  formation_wall_s: number | null;
  dissemination_periods: number;
  bytes_per_node_per_s: number;
  msgs_per_node_per_s: number;
  push_pull_bytes_per_node_per_s: number;
  detect_s_p50: number;
  detect_s_p99: number;
  detect_s_max: number;
  detect_all_s_max: number;
  /** Share of the nodes killed at once for the detection figures. */
  killed_fraction: number;
  false_positives: number;
  loss_minutes: number;
  loss_false_positives: number | null;
  loss_false_suspicions: number | null;
  loss_wall_s: number | null;
  partition_apart_s: number | null;
  partition_heal_s: number | null;
  slow_node_false_positives: number | null;
  sim_minutes: number;
  sim_wall_s: number;
  rss_mb: number;
}

const [nodesArg, lossArg, ...flags] = process.argv.slice(2);
const N = Number(nodesArg ?? 100);
const LOSS_MIN = Number(lossArg ?? 0);
const converged = flags.includes('converged');
const extras = flags.includes('extras');
const SEED = 7;

const wall0 = performance.now();
const wall = (since = wall0) => (performance.now() - since) / 1000;
const log = (what: string) =>
  console.log(`  [${N}] ${what} (sim ${(c.clock.now() / 1000).toFixed(0)} s, wall ${wall().toFixed(1)} s)`);

const c = new SwimCluster({ seed: SEED });
c.add(N + 1); // the last one joins while measured

async function run(): Promise<Figures> {
  let formation: number | null = null;
  let formationWall: number | null = null;
  if (converged) c.startConverged(N);
  else {
    await c.joinAll(0, N, 20);
    formation =
      (c.clock.now() + (await c.runUntil(() => c.converged(), { maxMs: 600_000, stepMs: 500 }))) / 1000;
    formationWall = wall();
  }
  log('formed');
  // Formation's rumours need time to drain; a converged start has none.
  const settleMs = converged ? 10_000 : 30_000;
  await c.runFor(settleMs);
  const join = await measureJoin(c, N);
  await c.runFor(settleMs);
  const s0 = c.net.stats.requestBytes;
  const t0 = c.clock.now();
  const traffic = await measureTraffic(c, converged ? 20_000 : 60_000);
  const pushPull = (c.net.stats.requestBytes - s0) / c.up().length / ((c.clock.now() - t0) / 1000);
  log('join and steady traffic measured');
  // 10 % at once; 1 % at 10,000 nodes, where 1,000 simultaneous deaths times 9,000
  // observers (each tracking every suspicion and rumour) outgrow a 12 GB heap.
  const every = converged ? 100 : 10;
  const victims = c.nodes.filter((n) => n.index < N && n.index % every === 1).map((n) => n.index);
  const kill = await measureKill(c, victims, 300_000);
  log('kill measured');
  const fpBeforeLoss = c.recorder.falsePositives;
  let loss: Pick<Figures, 'loss_false_positives' | 'loss_false_suspicions' | 'loss_wall_s'> = {
    loss_false_positives: null,
    loss_false_suspicions: null,
    loss_wall_s: null,
  };
  if (LOSS_MIN > 0) {
    await c.runUntil(() => c.converged(), { maxMs: 300_000, stepMs: 1000 });
    const lw = performance.now();
    const fs0 = c.recorder.falseSuspicions;
    c.setLink({ loss: 0.05 });
    for (let m = 0; m < LOSS_MIN; m++) {
      await c.runFor(60_000);
      if ((m + 1) % 5 === 0)
        log(`${m + 1} min of 5 % loss, ${c.recorder.falsePositives - fpBeforeLoss} false positives`);
    }
    c.setLink({ loss: 0 });
    loss = {
      loss_false_positives: c.recorder.falsePositives - fpBeforeLoss,
      loss_false_suspicions: c.recorder.falseSuspicions - fs0,
      loss_wall_s: wall(lw),
    };
  } else if (converged) {
    await c.runFor(Math.max(0, 5 * 60_000 - c.clock.now())); // the 10,000-node run spans 5 simulated minutes
  }
  const falsePositives = c.recorder.falsePositives;
  const more = extras
    ? await faults()
    : { partition_apart_s: null, partition_heal_s: null, slow_node_false_positives: null };
  return {
    nodes: N,
    formation_s: formation,
    formation_wall_s: formationWall,
    dissemination_periods: join.periods,
    bytes_per_node_per_s: traffic.bytesPerNodePerS,
    msgs_per_node_per_s: traffic.msgsPerNodePerS,
    push_pull_bytes_per_node_per_s: pushPull,
    detect_s_p50: kill.p50,
    detect_s_p99: kill.p99,
    detect_s_max: kill.max,
    detect_all_s_max: kill.allMax,
    killed_fraction: victims.length / N,
    false_positives: falsePositives,
    loss_minutes: LOSS_MIN,
    ...loss,
    ...more,
    sim_minutes: c.clock.now() / 60_000,
    sim_wall_s: wall(),
    rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

/** Partition into halves and heal, then one slow node for 5 minutes. */
async function faults(): Promise<
  Pick<Figures, 'partition_apart_s' | 'partition_heal_s' | 'slow_node_false_positives'>
> {
  await c.runUntil(() => c.converged(), { maxMs: 300_000, stepMs: 1000 });
  const up = c.members().map((n) => n.index);
  const a = up.filter((_, i) => i % 2 === 0);
  const b = up.filter((_, i) => i % 2 === 1);
  c.partition([a, b]);
  const side = (x: number[], y: number[]) => x.every((i) => y.every((j) => c.view(i, j)?.state === 'dead'));
  const apart = await c.runUntil(() => side(a, b) && side(b, a), { maxMs: 300_000, stepMs: 500 });
  c.heal();
  const healed = await c.runUntil(() => c.converged(), { maxMs: 600_000, stepMs: 500 });
  log('partition healed');
  await c.runFor(30_000);
  const fp0 = c.recorder.falsePositives;
  c.slow(up[3]!, 1500);
  await c.runFor(5 * 60_000);
  c.slow(up[3]!, 0);
  log('slow node done');
  return {
    partition_apart_s: apart / 1000,
    partition_heal_s: healed / 1000,
    slow_node_false_positives: c.recorder.falsePositives - fp0,
  };
}

exitWithParent();
try {
  const figures = await run();
  await sendToParent({ type: 'result', figures });
  process.exit(0);
} catch (e) {
  await sendToParent({ type: 'error', message: errorMessage(e) });
  process.exit(1);
}
