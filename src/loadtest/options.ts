import { z } from 'zod';
import { LoadtestError } from './errors.js';

export const SCENARIOS = ['formation', 'pubsub', 'rpc', 'failure'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
export const FAULTS = ['kill', 'partition', 'loss'] as const;
export type FaultKind = (typeof FAULTS)[number];
export type Qos = 'at-most-once' | 'at-least-once';

/** QUIC nodes are one process each: keep a typo from forking a thousand. */
export const MAX_QUIC_NODES = 64;

const schema = z
  .object({
    transport: z.enum(['memory', 'quic']).default('memory'),
    scenario: z.enum([...SCENARIOS, 'all']).default('all'),
    nodes: z.number().int().min(2).max(2000).default(5),
    durationMs: z.number().int().min(200).max(3_600_000).default(10_000),
    rate: z.number().min(0).max(10_000_000).default(1000),
    payloadBytes: z.number().int().min(16).max(1_000_000).default(100),
    qos: z.enum(['at-most-once', 'at-least-once']).default('at-most-once'),
    concurrency: z.number().int().min(1).max(10_000).default(64),
    senders: z.number().int().min(1).default(1),
    fault: z.enum(FAULTS).default('kill'),
    loss: z.number().min(0).max(1).default(0.05),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional(),
    drainMs: z.number().int().min(0).max(60_000).default(2000),
    formationTimeoutMs: z.number().int().min(1000).optional(),
  })
  .strict();

/** What `runLoadtest` accepts; every field has a default. */
export type LoadtestInput = z.input<typeof schema>;

/** The options of a run, every default applied (recorded in the report). */
export interface LoadtestOptions extends Omit<z.output<typeof schema>, 'seed' | 'formationTimeoutMs'> {
  /** The seed of the run's random choices (which node is killed, memory-network loss). */
  seed: number;
  formationTimeoutMs: number;
  /** The scenarios to run, in order. */
  scenarios: ScenarioName[];
}

/** Checks `input` and applies the defaults; throws LoadtestError `INVALID_OPTIONS`. */
export function resolveOptions(input: LoadtestInput = {}): LoadtestOptions {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new LoadtestError('INVALID_OPTIONS', msg, { cause: parsed.error });
  }
  const o = parsed.data;
  const scenarios = o.scenario === 'all' ? [...SCENARIOS] : [o.scenario];
  const fail = (msg: string): never => {
    throw new LoadtestError('INVALID_OPTIONS', msg);
  };
  if (o.senders >= o.nodes) fail(`senders (${o.senders}) must be fewer than nodes (${o.nodes})`);
  if (o.transport === 'quic' && o.nodes > MAX_QUIC_NODES) {
    fail(`at most ${MAX_QUIC_NODES} nodes with --transport quic (one process each)`);
  }
  if (scenarios.includes('failure') && o.nodes < o.senders + 2) {
    fail(`the failure scenario needs at least ${o.senders + 2} nodes (senders, a victim and a survivor)`);
  }
  return {
    ...o,
    seed: o.seed ?? Math.floor(Math.random() * 2 ** 32),
    formationTimeoutMs: o.formationTimeoutMs ?? 30_000 + 200 * o.nodes,
    scenarios,
  };
}

/** `10s`, `500ms`, `2m`, `1.5s`; a bare number is seconds. Throws LoadtestError `INVALID_OPTIONS`. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!m)
    throw new LoadtestError('INVALID_OPTIONS', `bad duration ${JSON.stringify(text)} (e.g. 10s, 500ms, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}
