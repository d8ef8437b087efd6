/**
 * One part of one size of the routing bench, in its own process (run.ts spawns it, so its
 * peak RSS is its own). Sends `{ type: 'result', figures }` to the parent.
 *
 * Args: nodes, part, runs per phase.
 * - `route` (RouteSim): routed messages over tables fed by membership; stable, then 10 %
 *   killed while tables still hold them (the window before membership notices), then
 *   after membership removed them.
 * - `lookup` (LookupSim): lookups over tables fed by traffic as nodes join; stable, then
 *   10 % killed.
 */
import { LookupSim, RouteSim } from '../../src/sim/index.js';
import { exitWithParent, sendToParent } from '../lib/child.js';
import { errorMessage } from '../lib/time.js';

/** Both parts of one size, as run.ts merges them. */
export interface Figures extends LookupFigures, RouteFigures {
  nodes: number;
  /** Both parts. */
  sim_wall_s: number;
  /** The larger part's. */
  rss_mb: number;
}

export interface LookupFigures {
  lookup_success: number;
  lookup_success_churn10: number;
  hops_mean: number;
  hops_p99: number;
  msgs_per_lookup: number;
  lookup_hops_mean_churn10: number;
  lookup_timeouts_churn10: number;
  lookup_table_mean: number;
  lookup_build_wall_s: number;
  lookup_wall_s: number;
  lookup_rss_mb: number;
}

export interface RouteFigures {
  route_success: number;
  /** Dead nodes still in tables (membership has not removed them yet). */
  route_success_churn10: number;
  route_hops_mean: number;
  route_hops_p99: number;
  route_hops_p99_churn10: number;
  /** Dead next hops tried per message in the churn window (each a timeout). */
  route_timeouts_churn10: number;
  /** After membership removed the dead from every table. */
  route_success_churn10_removed: number;
  route_hops_p99_churn10_removed: number;
  route_table_mean: number;
  route_build_wall_s: number;
  route_wall_s: number;
  route_rss_mb: number;
}

const [nodesArg, part, runsArg] = process.argv.slice(2);
const N = Number(nodesArg ?? 1000);
const RUNS = Number(runsArg ?? 1000);
const SEED = 7;

const wall0 = performance.now();
const wall = (since = wall0) => (performance.now() - since) / 1000;
const log = (what: string) => console.log(`  [${N} ${part}] ${what} (wall ${wall().toFixed(1)} s)`);

const rssMb = () => process.resourceUsage().maxRSS / 1024;

function routes(): RouteFigures {
  const w = performance.now();
  const sim = RouteSim.build({ nodes: N, seed: SEED });
  const built = wall(w);
  const table = sim.tableSizes().mean;
  log(`route sim built, mean table ${table.toFixed(1)}`);
  const stable = sim.measure(RUNS);
  sim.churn(0.1);
  const window = sim.measure(RUNS);
  sim.dropDead();
  const removed = sim.measure(RUNS);
  log('routed messages measured');
  return {
    route_success: stable.successRate,
    route_success_churn10: window.successRate,
    route_hops_mean: stable.hopsMean,
    route_hops_p99: stable.hopsP99,
    route_hops_p99_churn10: window.hopsP99,
    route_timeouts_churn10: window.timeoutsMean,
    route_success_churn10_removed: removed.successRate,
    route_hops_p99_churn10_removed: removed.hopsP99,
    route_table_mean: table,
    route_build_wall_s: built,
    route_wall_s: wall(),
    route_rss_mb: rssMb(),
  };
}

async function lookups(): Promise<LookupFigures> {
  const w = performance.now();
  const sim = await LookupSim.build({ nodes: N, seed: SEED });
  const built = wall(w);
  const table = sim.tableSizes().mean;
  log(`lookup sim built, mean table ${table.toFixed(1)}`);
  const stable = await sim.measure(RUNS);
  sim.churn(0.1);
  const churned = await sim.measure(RUNS);
  log('lookups measured');
  return {
    lookup_success: stable.successRate,
    lookup_success_churn10: churned.successRate,
    hops_mean: stable.hopsMean,
    hops_p99: stable.hopsP99,
    msgs_per_lookup: stable.messagesMean,
    lookup_hops_mean_churn10: churned.hopsMean,
    lookup_timeouts_churn10: churned.timeoutsMean,
    lookup_table_mean: table,
    lookup_build_wall_s: built,
    lookup_wall_s: wall(),
    lookup_rss_mb: rssMb(),
  };
}

exitWithParent();
try {
  const figures = part === 'route' ? routes() : await lookups();
  await sendToParent({ type: 'result', figures });
  process.exit(0);
} catch (e) {
  await sendToParent({ type: 'error', message: errorMessage(e) });
  process.exit(1);
}
