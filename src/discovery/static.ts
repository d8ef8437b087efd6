import { lookup } from 'node:dns/promises';
import { isIP, isIPv6 } from 'node:net';
import { formatHostPort, parseHostPort } from '../config/index.js';
import { InvalidArgumentError, MACULA_SCHEME, parseMaculaUri } from '../core/index.js';
import {
  type AbortOptions,
  type Clock,
  raceAbort,
  systemClock,
  throwIfAborted,
  withDeadline,
} from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import { DiscoveryError } from './errors.js';
import {
  asError,
  type DiscoveryLogger,
  type DiscoveryProblem,
  type DiscoveryProvider,
  dedupeAddresses,
  silentDiscoveryLogger,
} from './types.js';

/** Resolves a host name to its IP addresses (every A/AAAA record). */
export type Resolver = (host: string, opts: AbortOptions) => Promise<string[]>;

/** Options of {@link staticDiscovery}. */
export interface StaticDiscoveryOptions {
  /** Host name lookup; default {@link systemResolve}. Inject one in tests. */
  resolve?: Resolver;
  /** Per-name lookup deadline, so one hanging name cannot starve the others (default 3000 ms). */
  resolveTimeoutMs?: number;
  /** Clock for the deadlines above and for `discover`'s `timeoutMs` (default the system clock). */
  clock?: Clock;
  logger?: DiscoveryLogger;
  /** Called for each entry skipped during `discover` (a name that did not resolve). */
  onProblem?: (problem: DiscoveryProblem) => void;
}

/** A static provider; `entries` are the parsed configured entries (names not yet resolved). */
export interface StaticDiscovery extends DiscoveryProvider {
  readonly name: 'static';
  readonly entries: readonly Address[];
}

/** Every address of `host` from the OS resolver (`dns.promises.lookup(host, { all: true })`). */
export const systemResolve: Resolver = async (host) =>
  (await lookup(host, { all: true })).map((r) => r.address);

/**
 * Parses one static entry: `host:port`, `1.2.3.4:port`, `[v6]:port`, `macula://host:port`
 * or an `{ host, port }` object. IPv6 hosts come back without brackets.
 * @throws DiscoveryError with code `INVALID_ENTRY`.
 */
export function parseStaticEntry(entry: string | Address): Address {
  const shown = showEntry(entry);
  try {
    return parseEntry(entry);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DiscoveryError('INVALID_ENTRY', `Invalid discovery entry ${shown}: ${why}`, {
      cause: err,
      entry: shown,
    });
  }
}

function parseEntry(entry: string | Address): Address {
  if (typeof entry === 'string') {
    const s = entry.trim();
    if (!s.startsWith(MACULA_SCHEME)) return checkHost(parseHostPort(s), s.startsWith('['));
    const uri = parseMaculaUri(s);
    if (uri.kind !== 'address') throw new Error('a node URI has no address to dial; use macula://host:port');
    return { host: uri.host, port: uri.port };
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.host !== 'string') {
    throw new Error('expected "host:port" or { host, port }');
  }
  // Round-trip through the config parser so objects obey the same rules as strings.
  return checkHost(parseHostPort(formatHostPort(entry.host, entry.port)), false);
}

// parseHostPort leaves bracket contents unchecked; only a real IPv6 address may be bracketed.
function checkHost(a: Address, bracketed: boolean): Address {
  if ((bracketed || a.host.includes(':')) && !isIPv6(a.host)) {
    throw new Error(`${JSON.stringify(a.host)} in brackets is not an IPv6 address`);
  }
  return { host: a.host, port: a.port };
}

function showEntry(entry: unknown): string {
  if (typeof entry === 'string') return JSON.stringify(entry);
  const e = entry as Partial<Address> | null;
  if (typeof e?.host === 'string') return formatHostPort(e.host, Number(e.port));
  return String(entry);
}

/**
 * A provider over a fixed list of bootstrap nodes. IP literals are returned as they are;
 * host names are resolved on every `discover` (so DNS changes are seen), each A/AAAA
 * record giving one candidate. A name that fails is reported and skipped; duplicates go.
 * @throws DiscoveryError `INVALID_ENTRY` at construction for a malformed entry;
 *   InvalidArgumentError for a bad `resolveTimeoutMs`.
 */
export function staticDiscovery(
  entries: readonly (string | Address)[],
  opts: StaticDiscoveryOptions = {},
): StaticDiscovery {
  const parsed = Object.freeze(entries.map(parseStaticEntry));
  const resolve = opts.resolve ?? systemResolve;
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? silentDiscoveryLogger;
  const resolveTimeoutMs = opts.resolveTimeoutMs ?? 3000;
  // Node treats a non-finite timer delay as 1 ms, so refuse it rather than spin.
  if (!Number.isFinite(resolveTimeoutMs) || resolveTimeoutMs <= 0) {
    throw new InvalidArgumentError(`resolveTimeoutMs must be a positive number (got ${resolveTimeoutMs})`);
  }

  const report = (shown: string, error: DiscoveryError): void => {
    log.warn({ provider: 'static', entry: shown, err: error }, 'skipping bootstrap entry');
    try {
      opts.onProblem?.({ provider: 'static', entry: shown, error });
    } catch (err) {
      log.warn({ err }, 'onProblem callback threw');
    }
  };

  const expand = async (entry: Address, signal: AbortSignal | undefined): Promise<Address[]> => {
    if (isIP(entry.host) !== 0) return [entry];
    try {
      const ips = await withDeadline(
        clock,
        { signal, timeoutMs: resolveTimeoutMs },
        `resolving ${entry.host}`,
        (s) => raceAbort(resolve(entry.host, { signal: s }), s),
      );
      if (ips.length === 0) throw new Error('no addresses');
      return ips.map((host) => ({ host, port: entry.port }));
    } catch (err) {
      throwIfAborted(signal); // the whole discovery was cancelled: not this entry's fault
      const shown = formatHostPort(entry.host, entry.port);
      const msg = `${entry.host} did not resolve: ${asError(err).message}`;
      report(shown, new DiscoveryError('RESOLVE_FAILED', msg, { cause: err, entry: shown }));
      return [];
    }
  };

  return {
    name: 'static',
    entries: parsed,
    discover: (o) =>
      withDeadline(clock, o, 'static discovery', async (signal) => {
        throwIfAborted(signal);
        const lists = await Promise.all(parsed.map((e) => expand(e, signal)));
        return dedupeAddresses(lists.flat());
      }),
  };
}
