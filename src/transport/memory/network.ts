import { type Clock, type Random, systemClock, systemRandom } from '../../runtime/index.js';
import { TransportUsageError } from '../errors.js';
import type { Endpoint, EndpointOptions, Transport } from '../types.js';
import { MemoryEndpoint } from './endpoint.js';
import { type LinkConditions, LinkTable } from './link.js';
import { type NetworkStats, Wire } from './wire.js';

/** Options of a {@link MemoryNetwork}: default link conditions plus the injected clock and randomness. */
export interface MemoryNetworkOptions extends LinkConditions {
  /** Schedules every packet and timeout (default: the system clock). */
  clock?: Clock;
  /** Draws jitter and loss (default: system randomness; pass a SeededRandom to replay runs). */
  random?: Random;
}

/**
 * A simulated network in one process, for tests and large simulations. Endpoints made
 * here speak the {@link Transport} contract like QUIC endpoints do: mutual certificate
 * checks, reliable ordered flow-controlled streams, unreliable datagrams, idle timeouts.
 * Packets travel on the injected clock with configurable latency, jitter, loss and
 * bandwidth, so a VirtualClock and a SeededRandom make whole runs deterministic.
 *
 * Endpoints default to host `127.0.0.1`; any string works as a host (`'n17'`), and port 0
 * picks a free port on that host. The network's clock drives packets and timeouts alike,
 * so an endpoint's own `clock` option must be left unset (or be that same clock).
 */
export class MemoryNetwork {
  private readonly links: LinkTable;
  private readonly wire: Wire;
  private readonly memoryTransport: Transport;

  constructor(opts: MemoryNetworkOptions = {}) {
    const { clock = systemClock, random = systemRandom, ...defaults } = opts;
    this.links = new LinkTable(defaults);
    this.wire = new Wire(clock, random, this.links);
    this.memoryTransport = { name: 'memory', createEndpoint: (o) => this.createEndpoint(o) };
  }

  /**
   * A Transport whose endpoints live on this network. name = 'memory'. `onEndpoint` hears
   * of each endpoint it binds (so a test or a load test can crash that node's endpoint).
   */
  transport(onEndpoint?: (ep: Endpoint) => void): Transport {
    if (!onEndpoint) return this.memoryTransport;
    return {
      name: 'memory',
      createEndpoint: async (o) => {
        const ep = await this.createEndpoint(o);
        onEndpoint(ep);
        return ep;
      },
    };
  }

  /** Binds a new endpoint; rejects with TransportError `ADDRESS_IN_USE` when host:port is taken. */
  async createEndpoint(opts: EndpointOptions): Promise<Endpoint> {
    return new MemoryEndpoint(this.wire, opts);
  }

  /** Conditions for packets between two hosts (both directions), overriding the defaults field by field. */
  setLink(hostA: string, hostB: string, c: LinkConditions): void {
    this.links.setLink(hostA, hostB, c);
  }

  /** Conditions for every link without its own {@link setLink}. */
  setDefaults(c: LinkConditions): void {
    this.links.setDefaults(c);
  }

  /**
   * Drops every packet between the two groups of hosts until {@link heal}. Stream data
   * caught in it is retransmitted with backoff, so a short partition only delays it; a
   * partition longer than the idle timeout ends the connections on both sides.
   */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    this.links.partition(groupA, groupB);
  }

  /** Removes every partition. */
  heal(): void {
    this.links.heal();
  }

  /**
   * The endpoint vanishes without a goodbye, like a killed process: its address is
   * freed at once and peers only notice by idle timeout. Its own connections end
   * with `{ kind: 'error' }` (code `CRASHED`) and it sends nothing more.
   */
  crash(endpoint: Endpoint): void {
    if (!(endpoint instanceof MemoryEndpoint) || endpoint.wire !== this.wire) {
      throw new TransportUsageError('crash() takes an endpoint of this network');
    }
    endpoint.crash();
  }

  /** Packet counters of the whole network. */
  stats(): NetworkStats {
    return { ...this.wire.counters };
  }
}
