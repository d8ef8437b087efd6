import {
  type DhtNet,
  type DhtRecord,
  type Dht as DhtService,
  type DhtStats,
  type FindValueReply,
  findValueRequest,
  type PutOptions,
  type StoreReply,
  storeRequest,
} from '../dht/index.js';
import { FrameType } from '../protocol/index.js';
import type { AbortOptions } from '../runtime/index.js';
import type { PeerChannels } from './channels.js';
import type { RoutingHost, RoutingService } from './routing.js';

/** `node.dht`: the node's view of the realm's DHT (records signed with the node's identity). */
export interface NodeDht {
  /** Publishes this node's record under `key` (republished until removed or the node stops). */
  put(key: string, value: Uint8Array, opts?: PutOptions): Promise<{ key: string; stored: number }>;
  /** Every owner's live record under `key`, verified. */
  get(key: string, opts?: AbortOptions): Promise<DhtRecord[]>;
  /** Withdraws this node's record under `key`. */
  remove(key: string, opts?: AbortOptions): Promise<void>;
  stats(): DhtStats;
  /**
   * Called with the hashed key (`dhtKey(appKey)`) when a node that served one of this
   * node's recent reads stored a change under it. Returns the unsubscribe function.
   */
  onChanged(listener: (key: string) => void): () => void;
}

/** DHT requests as stream requests to the contact (dialed when not connected). Answers are unchecked here: the Dht validates them. */
export function dhtNet(host: RoutingHost, routing: RoutingService, channels: PeerChannels): DhtNet {
  return {
    changed: (to, key) => {
      const conn = host.connection(to);
      // Best effort: a full channel or a closed link leaves the reader on its cache TTL.
      if (conn) channels.trySend(conn, to, FrameType.DHT_CHANGED, { k: key });
    },
    store: async (to, records, opts) => {
      const conn = await routing.connectTo(to, opts);
      return (await host.streams.request(
        conn,
        FrameType.DHT_STORE,
        storeRequest(records),
        opts,
      )) as StoreReply;
    },
    findValue: async (to, key, opts) => {
      const conn = await routing.connectTo(to, opts);
      return (await host.streams.request(
        conn,
        FrameType.DHT_FIND_VALUE,
        findValueRequest(key),
        opts,
      )) as FindValueReply;
    },
  };
}

/** Serves the DHT frames of `dht` on the node's stream router. */
export function serveDht(host: RoutingHost, dht: DhtService, channels: PeerChannels): void {
  channels.handle(FrameType.DHT_CHANGED, (payload, peerId) =>
    dht.remoteChanged(peerId, (payload as { k?: unknown } | null)?.k),
  );
  host.streams.handle(FrameType.DHT_STORE, (payload, peerId) => dht.handleStore(peerId, payload));
  host.streams.handle(FrameType.DHT_FIND_VALUE, (payload, peerId) => dht.handleFindValue(peerId, payload));
}

export function nodeDht(dht: DhtService): NodeDht {
  return {
    put: (key, value, opts) => dht.put(key, value, opts),
    get: (key, opts) => dht.get(key, opts),
    remove: (key, opts) => dht.remove(key, opts),
    stats: () => dht.stats(),
    onChanged: (listener) => dht.onChanged(listener),
  };
}
