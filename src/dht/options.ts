import { InvalidArgumentError, parseRealm } from '../core/index.js';
import type { LogSink } from '../logging/index.js';
import { isNodeIdHex, type LookupService, type RoutingTable } from '../routing/index.js';
import { type AbortOptions, type Clock, type Random, systemRandom } from '../runtime/index.js';
import type { DhtContext, DhtCounters } from './context.js';
import { createRecordSigner, type DhtKeyInput } from './crypto.js';
import { RecordStore } from './store.js';
import {
  DEFAULT_DHT_LIMITS,
  DEFAULT_DHT_TUNABLES,
  type DhtLimits,
  type DhtNet,
  type DhtTunables,
} from './types.js';

/** Options of a {@link Dht}. */
export interface DhtOptions {
  /** This node's id; must be the id of `identityKey`. */
  selfId: string;
  /** Records are signed for, and verified in, this realm. */
  realm: string;
  /** The node's Ed25519 private key (signs the records it owns). */
  identityKey: DhtKeyInput;
  table: RoutingTable;
  lookup: LookupService;
  net: DhtNet;
  /** Timers (republish, sweep) and request deadlines. */
  clock: Clock;
  /** Wall clock (ms since the epoch) for issuedAt and expiry. Default `Date.now`. */
  wallClock?: () => number;
  /** Jitter of periodic work. Default: node:crypto. */
  random?: Random;
  logger?: LogSink;
  limits?: Partial<DhtLimits>;
  /** Nodes a record is stored on (Kademlia's k). Default 20. */
  replicas?: number;
  tunables?: Partial<DhtTunables>;
}

/** Options of {@link Dht.put}. */
export interface PutOptions extends AbortOptions {
  /** Lifetime of each published version (ms, 1…maxTtlMs). Default `tunables.defaultTtlMs` (1 h). */
  ttlMs?: number;
}

function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1)
    throw new InvalidArgumentError(`${what} must be a positive integer, got ${v}`);
  return v;
}

/** Checks `o` and builds the state the parts of a Dht share. Throws InvalidArgumentError / InvalidRealmError. */
export function dhtContext(o: DhtOptions, counters: DhtCounters): DhtContext {
  if (!isNodeIdHex(o.selfId)) throw new InvalidArgumentError('selfId must be 64 lowercase hex characters');
  const realm = parseRealm(o.realm);
  const signer = createRecordSigner(o.identityKey);
  if (signer.owner !== o.selfId) throw new InvalidArgumentError('identityKey is not the key of selfId');
  const limits = { ...DEFAULT_DHT_LIMITS, ...o.limits };
  const wallClock = o.wallClock ?? Date.now;
  return {
    selfId: o.selfId,
    realm,
    table: o.table,
    lookup: o.lookup,
    net: o.net,
    clock: o.clock,
    wallClock,
    random: o.random ?? systemRandom,
    logger: o.logger,
    store: new RecordStore({ selfId: o.selfId, realm, limits, wallClock }),
    signer,
    limits,
    tunables: { ...DEFAULT_DHT_TUNABLES, ...o.tunables },
    replicas: positiveInt(o.replicas ?? 20, 'replicas'),
    counters,
  };
}
