/**
 * One NATS client or libp2p node in its own process for the peers bench (run.ts forks it).
 * It answers the same IPC commands as bench/messaging/worker.ts, so run.ts drives macula
 * and the others alike, one command at a time:
 *
 * - `start` {system, role, target?} → `started` {address, description}
 * - `subscribe` {topic} → `subscribed`; `sub-reset` → `sub-reset-ok`; `sub-report` → counts
 * - `warm` {topic, expect} → `warmed`: until this publisher reaches `expect` subscribers
 * - `flood` {topic, warmupMs, ms, window} → `flood-done`; `paced` {topic, rate, warmupMs, ms} → `paced-done`
 * - `register` {name} → `registered`; `rpc-seq` {name, warmup, n}; `rpc-par` {name, inflight, warmupMs, ms}
 * - `stop`: closes the connection or node and exits.
 */
import { exitWithParent, type Message, serveParentCommands } from '../lib/child.js';
import { errorMessage } from '../lib/time.js';
import { SubCounter } from '../messaging/measure.js';
import { flood, paced, requestParallel, requestSequential } from './load.js';
import type { PeerStarted, PeerSystem, StartPeer } from './protocol.js';
import type { PeerAdapter } from './systems/adapter.js';

exitWithParent();
const label = `[peers worker ${process.pid}]`;
process.on('uncaughtException', (e) => console.error(`${label} uncaught: ${errorMessage(e)}`));
process.on('unhandledRejection', (e) => console.error(`${label} unhandled rejection: ${errorMessage(e)}`));

let adapter: PeerAdapter | undefined;
const counter = new SubCounter();

function need(): PeerAdapter {
  if (!adapter) throw new Error('not started');
  return adapter;
}

/** Each system is imported only when asked for, so one that fails to load cannot stop the others. */
async function create(system: PeerSystem, role: StartPeer['role'], target?: string): Promise<PeerAdapter> {
  switch (system) {
    case 'nats': {
      if (!target) throw new Error('nats: no server URL');
      return (await import('./systems/nats.js')).createNatsAdapter(role, target);
    }
    case 'libp2p':
      return (await import('./systems/libp2p.js')).createLibp2pAdapter(role, 'tcp', target);
    case 'libp2p_quic':
      return (await import('./systems/libp2p.js')).createLibp2pAdapter(role, 'quic', target);
  }
}

async function handle(m: Message): Promise<Message | undefined> {
  const num = (key: string): number => Number(m[key]);
  const str = (key: string): string => String(m[key]);
  switch (m.type) {
    case 'start': {
      const s = m as StartPeer;
      adapter = await create(s.system, s.role, s.target);
      const reply: PeerStarted = {
        type: 'started',
        address: adapter.address,
        description: adapter.description,
      };
      return reply;
    }
    case 'subscribe':
      await need().subscribe(str('topic'), counter.onMessage);
      return { type: 'subscribed' };
    case 'sub-reset':
      counter.reset();
      return { type: 'sub-reset-ok' };
    case 'sub-report':
      return { type: 'sub-report', ...counter.counts() };
    case 'warm':
      await need().waitForSubscribers(str('topic'), num('expect'), 30_000);
      return { type: 'warmed' };
    case 'flood':
      return flood(need(), str('topic'), num('warmupMs'), num('ms'), num('window'));
    case 'paced':
      return paced(need(), str('topic'), num('rate'), num('warmupMs'), num('ms'));
    case 'register':
      await need().serve(str('name'), (request) => request);
      return { type: 'registered' };
    case 'rpc-seq':
      return requestSequential(need(), str('name'), num('warmup'), num('n'));
    case 'rpc-par':
      return requestParallel(need(), str('name'), num('inflight'), num('warmupMs'), num('ms'));
    default:
      throw new Error(`unknown command ${m.type}`);
  }
}

serveParentCommands(handle, () => adapter?.close());
