import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { cpus } from 'node:os';
import { type Clock, SeededRandom, throwIfAborted } from '../runtime/index.js';
import { loadClock } from './clock.js';
import type { Cluster } from './cluster.js';
import { memoryCluster } from './cluster-memory.js';
import { quicCluster } from './cluster-quic.js';
import { type LoadtestInput, type LoadtestOptions, resolveOptions, type ScenarioName } from './options.js';
import type { LoadtestReport, ScenarioReport } from './report.js';
import { runFailure } from './scenario-failure.js';
import { runFormation } from './scenario-formation.js';
import type { ProgressEvent, ScenarioContext } from './scenario-kit.js';
import { runPubSub } from './scenario-pubsub.js';
import { runRpc } from './scenario-rpc.js';

export interface RunHooks {
  /** Stops the run: it rejects with AbortError once every node is stopped. */
  signal?: AbortSignal;
  /** Called at every phase change and about four times a second while load runs. */
  onProgress?: (e: ProgressEvent) => void;
  /** Default: the system's monotonic clock (shared by worker processes). */
  clock?: Clock;
}

const RUNNERS: Record<
  Exclude<ScenarioName, 'formation'>,
  (ctx: ScenarioContext) => Promise<ScenarioReport>
> = {
  pubsub: runPubSub,
  rpc: runRpc,
  failure: runFailure,
};

/**
 * Runs the load test `input` describes: starts the nodes (the formation scenario), runs
 * each scenario in turn on the same mesh (failure last: it breaks the mesh), stops every
 * node and returns the report. Rejects with LoadtestError or AbortError.
 */
export async function runLoadtest(input: LoadtestInput, hooks: RunHooks = {}): Promise<LoadtestReport> {
  const options = resolveOptions(input);
  const clock = hooks.clock ?? loadClock;
  throwIfAborted(hooks.signal);
  // Every paced slot waits on the run's signal: one listener each, by design.
  const ctl = new AbortController();
  setMaxListeners(0, ctl.signal);
  const forward = () => ctl.abort(hooks.signal?.reason);
  hooks.signal?.addEventListener('abort', forward, { once: true });
  try {
    return await run(options, clock, ctl.signal, hooks.onProgress);
  } finally {
    hooks.signal?.removeEventListener('abort', forward);
  }
}

async function run(
  options: LoadtestOptions,
  clock: Clock,
  signal: AbortSignal,
  onProgress: RunHooks['onProgress'],
): Promise<LoadtestReport> {
  const startedAt = new Date();
  const runStart = clock.now();
  const cluster: Cluster =
    options.transport === 'memory'
      ? memoryCluster(options.nodes, options.seed)
      : await quicCluster(options.nodes, options.seed, signal);
  const ctx: ScenarioContext = {
    cluster,
    options,
    clock,
    random: new SeededRandom(options.seed),
    runId: randomBytes(4).toString('hex'),
    runStart,
    signal,
    progress: (e) => onProgress?.(e),
  };
  const scenarios: ScenarioReport[] = [];
  try {
    const formation = await runFormation(ctx);
    done(ctx, formation);
    if (options.scenarios.includes('formation')) scenarios.push(formation);
    for (const name of options.scenarios) {
      if (name === 'formation') continue;
      throwIfAborted(signal);
      const report = await RUNNERS[name](ctx);
      done(ctx, report);
      scenarios.push(report);
    }
  } finally {
    await cluster.close();
  }
  throwIfAborted(signal);
  return {
    tool: 'macula loadtest',
    schema: 1,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(clock.now() - runStart),
    options,
    environment: environment(),
    scenarios,
  };
}

function done(ctx: ScenarioContext, r: ScenarioReport): void {
  const s = r.stats;
  const counts =
    'published' in s
      ? { sent: s.published, delivered: s.delivered }
      : 'calls' in s
        ? { sent: s.calls, delivered: s.answered, errors: s.failed }
        : { formed: s.complete };
  ctx.progress({ scenario: r.scenario, phase: 'done', fraction: 1, ...counts });
}

function environment(): LoadtestReport['environment'] {
  const c = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: c.length,
    cpuModel: c[0]?.model.trim() ?? 'unknown',
  };
}
