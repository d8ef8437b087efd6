// Shared set-up of the membership scenario tests: 100-node clusters on virtual time.
import { SwimCluster, type SwimClusterOptions } from '../../src/sim/index.js';

export const N = 100;
export const PERIOD_MS = 400;

/** `n` nodes joined one every 20 ms through random members, then run until every view is exact. */
export async function formed(seed: number, n = N, o: Partial<SwimClusterOptions> = {}): Promise<SwimCluster> {
  const c = new SwimCluster({ seed, ...o });
  c.add(n);
  await c.joinAll(0, n, 20);
  await c.runUntil(() => c.converged(), { maxMs: 120_000 });
  return c;
}

/** Every running member's view of node `j`. */
export function viewsOf(
  c: SwimCluster,
  j: number,
): Array<{ state: string; incarnation: number } | undefined> {
  return c
    .members()
    .filter((n) => n.index !== j)
    .map((n) => c.view(n.index, j));
}

/** Indices of every tenth node from `offset` (10 % of the cluster). */
export function tenPercent(c: SwimCluster, offset = 1): number[] {
  return c.nodes.filter((n) => n.index % 10 === offset).map((n) => n.index);
}
