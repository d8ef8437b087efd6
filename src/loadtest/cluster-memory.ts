import { SeededRandom, systemClock } from '../runtime/index.js';
import { type Endpoint, MemoryNetwork } from '../transport/index.js';
import { Agent } from './agent.js';
import type { Started } from './agent-types.js';
import { loadClock } from './clock.js';
import { bounded, type Cluster, nodeName, REALM } from './cluster.js';

const PORT = 4433;

/** A private address per node: 10.0.0.1, 10.0.0.2, … 10.0.1.0, … */
const hostOf = (i: number) => `10.${(i + 1) >> 16}.${((i + 1) >> 8) & 255}.${(i + 1) & 255}`;

/** `n` nodes in this process on one in-memory network; faults are the network's own. */
export function memoryCluster(n: number, seed: number): Cluster {
  // No added latency: each packet still waits for a timer (about 1 ms on Node).
  const net = new MemoryNetwork({ clock: systemClock, random: new SeededRandom(seed), latencyMs: 0 });
  const endpoints = new Map<number, Endpoint>();
  const up = new Array<boolean>(n).fill(true);
  const names = Array.from({ length: n }, (_, i) => nodeName(i));
  const agents = names.map((_, i) => {
    const transport = net.transport((ep) => endpoints.set(i, ep));
    return new Agent({ clock: loadClock, transport });
  });
  let closing: Promise<void> | undefined;
  return {
    transport: 'memory',
    agents,
    names,
    startNode: (i: number, signal?: AbortSignal): Promise<Started> =>
      agents[i]!.start(
        {
          name: names[i]!,
          realm: REALM,
          host: hostOf(i),
          port: PORT,
          bootstrap: i === 0 ? [] : [`${hostOf(0)}:${PORT}`],
          expectMembers: n,
        },
        signal,
      ),
    isUp: (i) => up[i] === true,
    kill: async (i) => {
      up[i] = false;
      const ep = endpoints.get(i);
      if (ep) net.crash(ep);
    },
    partition: async (a, b) => net.partition(a.map(hostOf), b.map(hostOf)),
    loss: async (rate) => net.setDefaults({ latencyMs: 0, loss: rate }),
    heal: async () => {
      net.heal();
      net.setDefaults({ latencyMs: 0 });
    },
    close() {
      closing ??= (async () => {
        await Promise.all(agents.map((a) => bounded(a.stop(), 5000)));
      })();
      return closing;
    },
  };
}
