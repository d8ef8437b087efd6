import type { Clock } from '../runtime/index.js';
import { sleep } from './clock.js';

export interface PaceSpec {
  /** Operations started per second; 0 = as many as `concurrency` allows. */
  rate: number;
  /** Operations in flight at most. */
  concurrency: number;
  durationMs: number;
}

/** Ops that settle within microtasks would starve timers and I/O: yield after this many in a row. */
const YIELD_EVERY = 64;

/**
 * Starts `op(i)` for i = 0, 1, … at `rate` per second (or back to back), at most
 * `concurrency` at once, until `durationMs` passed or `signal` fired; resolves once the
 * started ops settled. `op` must not reject: it counts its own failures. An op due while
 * every slot is busy starts late (the achieved rate then falls below the target).
 */
export async function pace(
  spec: PaceSpec,
  op: (i: number) => Promise<void>,
  clock: Clock,
  signal?: AbortSignal,
  yieldNow: () => Promise<void> = immediate,
): Promise<{ started: number; elapsedMs: number }> {
  const t0 = clock.now();
  const end = t0 + spec.durationMs;
  const period = spec.rate > 0 ? 1000 / spec.rate : 0;
  let next = 0;
  let started = 0;
  let run = 0;
  const slot = async (): Promise<void> => {
    while (!signal?.aborted) {
      const due = t0 + next * period;
      if (due >= end || clock.now() >= end) return;
      const i = next++;
      const wait = due - clock.now();
      if (wait >= 1) {
        await sleep(clock, wait, signal);
        if (signal?.aborted) return;
        run = 0;
      } else if (++run >= YIELD_EVERY) {
        run = 0;
        await yieldNow();
      }
      started++;
      await op(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, spec.concurrency) }, slot));
  return { started, elapsedMs: clock.now() - t0 };
}

function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
