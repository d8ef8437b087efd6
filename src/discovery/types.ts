import type { LogSink } from '../logging/index.js';
import type { AbortOptions, BackoffOptions, Clock, Random } from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import type { DiscoveryError } from './errors.js';

/** A source of candidate addresses to join the mesh through. */
export interface DiscoveryProvider {
  /** The method's name: `'static'`, later `'mdns'`, `'dns-srv'`… Used in logs. */
  readonly name: string;
  /**
   * Current candidates; may resolve DNS names. Never throws for a single bad entry: it is
   * reported (onProblem / log) and skipped. Rejects only when `opts.signal` aborts or
   * `opts.timeoutMs` passes, or when the whole source is unavailable.
   */
  discover(opts: AbortOptions): Promise<Address[]>;
}

/** A single entry a provider skipped, as reported to `onProblem`. */
export interface DiscoveryProblem {
  /** The provider's name. */
  provider: string;
  /** The entry as configured (e.g. `"seed.example:4433"`). */
  entry: string;
  error: DiscoveryError;
}

/**
 * The logging discovery needs. Both the package's `Logger` and the node's `NodeLogger`
 * (pino-style `(obj, msg)` calls) fit.
 */
export type DiscoveryLogger = LogSink;

/** Where a `Bootstrapper` is: `idle` also means "nothing to join" (no providers). */
export type BootstrapState = 'idle' | 'running' | 'joined' | 'stopped';

/** One finished bootstrap attempt, as `onAttempt` sees it. */
export interface BootstrapAttempt {
  /** 1 for the first attempt of a run; `restart()` begins a new run at 1. */
  attempt: number;
  /** The deduplicated candidates handed to `join` (empty when no provider had any). */
  candidates: Address[];
  /** Why it failed: join rejected or timed out, or `NO_CANDIDATES`. Absent when join said false. */
  error?: Error;
  joined: boolean;
}

/** Options of `Bootstrapper`. */
export interface BootstrapperOptions {
  /** Where candidates come from. None means this node starts the mesh: nothing to join. */
  providers: readonly DiscoveryProvider[];
  /**
   * Tries the candidates; resolves true as soon as ANY one joined (one reachable node is
   * enough), false or a rejection when none did. Must honour `opts.signal`.
   */
  join: (candidates: Address[], opts: AbortOptions) => Promise<boolean>;
  clock: Clock;
  /** Source of the backoff jitter. */
  random: Random;
  backoff?: Partial<BackoffOptions>;
  /** Deadline of each provider's discover and, separately, of each join (default 5000 ms). */
  attemptTimeoutMs?: number;
  logger?: DiscoveryLogger;
  /** Called after every attempt, successful or not. */
  onAttempt?: (e: BootstrapAttempt) => void;
}

/** A logger that drops everything: the default. */
export const silentDiscoveryLogger: DiscoveryLogger = { debug() {}, info() {}, warn() {} };

/** Addresses in their first-seen order, without repeats (host names compared case-insensitively). */
export function dedupeAddresses(addresses: Iterable<Address>): Address[] {
  const seen = new Set<string>();
  const out: Address[] = [];
  for (const a of addresses) {
    const key = `${a.host.toLowerCase()}|${a.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ host: a.host, port: a.port });
  }
  return out;
}

/** `err` as an Error, so callbacks and logs always get one. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
