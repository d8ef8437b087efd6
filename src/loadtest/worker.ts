/**
 * A QUIC node under load test, in its own process (forked by the QUIC cluster). It serves
 * the agent contract over IPC and exits when the parent goes away, so no worker outlives
 * a killed run. argv[2] is the seed of its packet-loss draws.
 */
import { setMaxListeners } from 'node:events';
import { SeededRandom } from '../runtime/index.js';
import { Agent } from './agent.js';
import { AGENT_METHODS, type AgentMethod } from './agent-types.js';
import { loadClock } from './clock.js';
import { dispatch, type FromWorker, type ToWorker } from './ipc.js';
import { installUdpFaults } from './udp-faults.js';

const random = new SeededRandom(Number(process.argv[2] ?? 1));
const faults = installUdpFaults(() => random.next());
const agent = new Agent({ clock: loadClock, netFault: (f) => faults.set(f) });
const running = new Map<number, AbortController>();

function reply(m: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send?.(m, undefined, undefined, () => resolve());
  });
}

async function serve(id: number, method: AgentMethod, arg: unknown) {
  const ctl = new AbortController();
  // A paced load waits on it once per slot in flight.
  setMaxListeners(0, ctl.signal);
  running.set(id, ctl);
  try {
    if (!AGENT_METHODS.includes(method)) throw new Error(`unknown method ${String(method)}`);
    const value = await dispatch(agent, method, arg, ctl.signal);
    await reply({ type: 'res', id, ok: true, value: value ?? null });
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    const code = typeof err?.code === 'string' ? err.code : undefined;
    await reply({ type: 'res', id, ok: false, error: { code, message: String(err?.message ?? e) } });
  } finally {
    running.delete(id);
  }
  if (method === 'stop') process.exit(0);
}

process.on('message', (m: ToWorker) => {
  if (m?.type === 'req') void serve(m.id, m.method, m.arg);
  else if (m?.type === 'cancel') running.get(m.id)?.abort();
});
process.on('disconnect', () => process.exit(0));
// A stray rejection in the node must not kill the worker mid-run: report it on stderr.
process.on('unhandledRejection', (e) => process.stderr.write(`[loadtest worker] unhandled: ${String(e)}\n`));
void reply({ type: 'ready' });
