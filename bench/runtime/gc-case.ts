/**
 * One case of `npm run bench:gc`, in a fresh process started with `--expose-gc` (argv[2]
 * names it): a hot loop for BENCH_GC_MS, reporting operations per ms and the minor-GC
 * time it caused. Sends `{ type: 'result', figures: GcCase }` (prints it when run alone).
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { ChurnMap } from '../../src/runtime/index.js';
import { exitWithParent, reportResult } from '../lib/child.js';
import { sleep } from '../lib/time.js';

export interface GcCase {
  ops_per_ms: number;
  minor_gcs: number;
  minor_gc_ms_mean: number;
  /** Minor-GC time per 1,000 operations (µs). */
  minor_gc_us_per_1000_ops: number;
}

const RUN_MS = Number(process.env.BENCH_GC_MS ?? 2000);
const IN_FLIGHT = 64;

interface Table {
  set(k: number, v: object): unknown;
  delete(k: number): boolean;
}

/** What a call in flight holds: a small object graph. */
const entry = (i: number) => ({ id: i, args: [i, i + 1, i + 2], reply: { ok: true, at: i } });

class Context {
  constructor(
    readonly caller: string,
    private readonly call: object,
  ) {}
  get signal(): object {
    return this.call;
  }
}

let sink: unknown;
const cases: Record<string, () => (i: number) => void> = {
  /** A long-lived table of 64 calls in flight whose hash table was promoted (an idle spell). */
  'map-after-idle': () => churn(aged(new Map())),
  'churnmap-after-idle': () => churn(aged(new ChurnMap())),
  /** A handler context per call: an object literal with a getter, or a class with one. */
  'literal-getter': () => (i) => {
    const call = entry(i);
    sink = {
      caller: 'x',
      get signal() {
        return call;
      },
    };
  },
  'class-getter': () => (i) => {
    sink = new Context('x', entry(i));
  },
};

function churn(t: Table): (i: number) => void {
  return (i) => {
    t.set(i, entry(i));
    t.delete(i - IN_FLIGHT);
  };
}

function aged<T extends Table>(t: T): T {
  for (let i = 1; i <= IN_FLIGHT; i++) t.set(-i, entry(i));
  const gc = (globalThis as { gc?: (o: { type: string }) => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  return t;
}

exitWithParent();
await reportResult(async (): Promise<GcCase> => {
  const make = cases[process.argv[2] ?? ''];
  if (!make) throw new Error(`unknown case ${process.argv[2]}; one of ${Object.keys(cases).join(', ')}`);
  const step = make();
  let gcMs = 0;
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      if (kind !== constants.NODE_PERFORMANCE_GC_MINOR) continue;
      gcMs += e.duration;
      gcs++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < RUN_MS) for (let i = 0; i < 1000; i++) step(n++);
  const elapsed = performance.now() - start;
  await sleep(20); // the observer reports asynchronously
  obs.disconnect();
  void sink;
  return {
    ops_per_ms: n / elapsed,
    minor_gcs: gcs,
    minor_gc_ms_mean: gcs > 0 ? gcMs / gcs : 0,
    minor_gc_us_per_1000_ops: (gcMs * 1e6) / n,
  };
});
