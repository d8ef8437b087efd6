import type { LogSink } from '../logging/index.js';
import type { LookupService, RoutingTable } from '../routing/index.js';
import type { Clock, Random } from '../runtime/index.js';
import type { RecordSigner } from './crypto.js';
import type { RecordStore } from './store.js';
import type { DhtLimits, DhtNet, DhtStats, DhtTunables } from './types.js';

/** Mutable counters of a Dht (the store keeps its own). */
export type DhtCounters = Omit<DhtStats, 'store' | 'owned'>;

/** Everything the parts of a {@link Dht} share. */
export interface DhtContext {
  readonly selfId: string;
  readonly realm: string;
  readonly table: RoutingTable;
  readonly lookup: LookupService;
  readonly net: DhtNet;
  readonly clock: Clock;
  readonly wallClock: () => number;
  readonly random: Random;
  readonly logger: LogSink | undefined;
  readonly store: RecordStore;
  readonly signer: RecordSigner;
  readonly limits: DhtLimits;
  readonly tunables: DhtTunables;
  readonly replicas: number;
  readonly counters: DhtCounters;
}

export function newCounters(): DhtCounters {
  return {
    puts: 0,
    putFailures: 0,
    gets: 0,
    getFailures: 0,
    removes: 0,
    republished: 0,
    republishFailures: 0,
    replicaKeys: 0,
    handoffs: 0,
    handoffRecords: 0,
    handoffsDropped: 0,
    sent: { store: 0, findValue: 0, failed: 0 },
    served: { store: 0, findValue: 0 },
    dropped: {},
  };
}
