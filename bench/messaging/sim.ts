/**
 * Child process of the messaging bench: the publish-cost model (model.ts) at each size.
 * Args: sizes (comma-separated), subscriber nodes, samples per kind, trials. Sends
 * `{ type: 'result', figures: ModelFigures[] }` to the parent (prints them when run alone).
 */
import { exitWithParent, reportResult } from '../lib/child.js';
import { type ModelFigures, model } from './model.js';

exitWithParent();
const [sizesArg, subsArg, samplesArg, trialsArg] = process.argv.slice(2);
const sizes = (sizesArg ?? '1000').split(',').map(Number);
await reportResult(async () => {
  const figures: ModelFigures[] = [];
  for (const n of sizes) {
    const f = await model(n, Number(subsArg ?? 10), Number(samplesArg ?? 10), Number(trialsArg ?? 5));
    console.log(`  [model ${n}] ${f.wall_s.toFixed(1)} s`);
    figures.push(f);
  }
  return figures;
});
