// testnet: N full nodes (membership, topology, discovery) on one in-memory network.
import type { TestContext } from 'node:test';
import { createNode, type MaculaNode, type NodeEvents, type NodeOptions } from '../../src/node/index.js';
import { compareDistance, idKey } from '../../src/routing/index.js';
import { systemClock } from '../../src/runtime/index.js';
import { generateIdentity, type NodeIdentity } from '../../src/security/index.js';
import { type Endpoint, MemoryNetwork } from '../../src/transport/index.js';

export const REALM = 'org.example.mesh';

export interface Testnet {
  net: MemoryNetwork;
  nodes: MaculaNode[];
  identities: NodeIdentity[];
  /** Starts one more node that bootstraps through node 0 (or `bootstrap`). */
  add(extra?: Partial<NodeOptions>): Promise<MaculaNode>;
  /** Kills node `i` like SIGKILL: its endpoint vanishes, peers notice by timeout. */
  crash(i: number): void;
  /** Resolves when `pred` holds after one of the node events, or rejects after `timeoutMs`. */
  until(pred: () => boolean, timeoutMs: number, what: string): Promise<void>;
}

const EVENTS: (keyof NodeEvents)[] = [
  'member:join',
  'member:alive',
  'member:suspect',
  'member:dead',
  'member:leave',
  'peer:connected',
  'peer:disconnected',
];

/** Starts `n` nodes named node0…, node i>0 bootstrapping through node0; stopped after the test. */
export async function testnet(t: TestContext, n: number, extra: Partial<NodeOptions> = {}): Promise<Testnet> {
  const net = new MemoryNetwork({ clock: systemClock, latencyMs: 1 });
  const endpoints = new Map<number, Endpoint>();
  const nodes: MaculaNode[] = [];
  const identities: NodeIdentity[] = [];
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  const add = async (more: Partial<NodeOptions> = {}): Promise<MaculaNode> => {
    const i = nodes.length;
    const transport = net.transport((ep) => endpoints.set(i, ep));
    const identity = await generateIdentity(REALM);
    const node = createNode({
      identity,
      name: `node${i}`,
      transport,
      listen: { host: `10.0.0.${i + 1}`, port: 4433 },
      bootstrap: i === 0 ? [] : ['10.0.0.1:4433'],
      ...extra,
      ...more,
    });
    for (const ev of EVENTS) node.on(ev, poke);
    await node.start();
    nodes.push(node);
    identities.push(identity);
    t.after(() => node.stop());
    return node;
  };
  for (let i = 0; i < n; i++) await add();
  return {
    net,
    nodes,
    identities,
    add,
    crash: (i) => {
      const ep = endpoints.get(i);
      if (ep) net.crash(ep);
      poke();
    },
    until: (pred, timeoutMs, what) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pred()) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`testnet: ${what} not reached within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** How many members `node` sees in `state`. */
export function count(node: MaculaNode, state: string): number {
  return node.members().filter((m) => m.state === state).length;
}

/**
 * Links the nodes of `tn` (started with `membership: false`) into a chain ending at the
 * last node, each closer to it by XOR distance than the one before, so greedy routing
 * from the first takes every hop. Resolves once the last node has its link.
 */
export async function chainToLast(tn: Testnet): Promise<MaculaNode[]> {
  const dest = tn.nodes.at(-1)!;
  const t0 = idKey(dest.nodeId);
  const chain = [
    ...tn.nodes.slice(0, -1).sort((a, b) => compareDistance(idKey(b.nodeId), idKey(a.nodeId), t0)),
    dest,
  ];
  for (let i = 0; i < chain.length - 1; i++) await chain[i]!.connect(chain[i + 1]!.address);
  // The dialer knows of a link first; the last node must see it before it announces anything.
  await tn.until(() => dest.connections().length > 0, 10_000, 'the last node linked');
  return chain;
}
