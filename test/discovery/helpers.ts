import {
  type BootstrapAttempt,
  Bootstrapper,
  type BootstrapperOptions,
  type DiscoveryProvider,
} from '../../src/discovery/index.js';
import { type AbortOptions, SeededRandom, type VirtualClock } from '../../src/runtime/index.js';
import type { Address } from '../../src/transport/index.js';

/** A provider whose discover is `fn` (a fixed list when given an array). */
export function provider(
  name: string,
  fn: Address[] | ((opts: AbortOptions) => Promise<Address[]>),
): DiscoveryProvider {
  return { name, discover: Array.isArray(fn) ? async () => fn : fn };
}

/** Lets queued promise chains run without moving virtual time. */
export async function settle(clock: VirtualClock): Promise<void> {
  for (let i = 0; i < 4; i++) await clock.advance(0);
}

/** A logger that keeps the objects it was given at warn level. */
export function recordingLogger() {
  const warnings: Record<string, unknown>[] = [];
  return {
    warnings,
    logger: {
      debug() {},
      info() {},
      warn: (obj: object) => warnings.push(obj as Record<string, unknown>),
    },
  };
}

/** Collects onAttempt events together with the virtual time they happened at. */
export function attemptLog(clock: VirtualClock) {
  const events: (BootstrapAttempt & { at: number })[] = [];
  return { events, onAttempt: (e: BootstrapAttempt) => events.push({ ...e, at: clock.now() }) };
}

/** Test addresses of two bootstrap nodes. */
export const A: Address = { host: '10.0.0.1', port: 4433 };
export const B: Address = { host: '10.0.0.2', port: 4433 };
/** Seed of the Random every {@link make} bootstrapper uses. */
export const SEED = 42;

/** A bootstrapper with test defaults (one provider with A, a join that fails) and its attempt log. */
export function make(clock: VirtualClock, opts: Partial<BootstrapperOptions>) {
  const log = attemptLog(clock);
  const b = new Bootstrapper({
    providers: [provider('fixed', [A])],
    join: async () => false,
    clock,
    random: new SeededRandom(SEED),
    onAttempt: log.onAttempt,
    ...opts,
  });
  return { b, events: log.events };
}
