import type { AgentApi, Started } from './agent-types.js';

/** N nodes under test, in-process or as child processes, and the faults they can suffer. */
export interface Cluster {
  readonly transport: 'memory' | 'quic';
  readonly agents: readonly AgentApi[];
  /** Node names, `node0`… */
  readonly names: readonly string[];
  /** Starts node `i`; node 0 must be started first (the others join through it). */
  startNode(i: number, signal?: AbortSignal): Promise<Started>;
  /** False once node `i` was killed. */
  isUp(i: number): boolean;
  /** Kills node `i` without a goodbye (SIGKILL, or its memory endpoint vanishes). */
  kill(i: number): Promise<void>;
  /** Drops every packet between the two groups until {@link heal}. */
  partition(a: readonly number[], b: readonly number[], signal?: AbortSignal): Promise<void>;
  /** Drops this share (0..1) of all packets until {@link heal}. */
  loss(rate: number, signal?: AbortSignal): Promise<void>;
  heal(signal?: AbortSignal): Promise<void>;
  /** Stops every node still running and releases everything (idempotent, never rejects). */
  close(): Promise<void>;
}

export const REALM = 'org.macula.loadtest';

export const nodeName = (i: number) => `node${i}`;

/** Settles `p` or gives up after `ms` (used while tearing down: a stuck stop must not hang the run). */
export function bounded<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([p.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}
