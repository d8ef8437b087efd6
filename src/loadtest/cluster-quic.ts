import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { raceAbort } from '../runtime/index.js';
import type { Started } from './agent-types.js';
import { bounded, type Cluster, nodeName, REALM } from './cluster.js';
import { LoadtestError } from './errors.js';
import { type FromWorker, RemoteAgent } from './ipc.js';

/** Stderr kept per worker for error messages. */
const STDERR_TAIL = 4096;

/**
 * The worker next to this module: `worker.js` when built, `worker.ts` when run from the
 * sources through tsx (the child then needs tsx too, found from here, not from the cwd).
 */
function workerEntry(): { path: string; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  const path = fileURLToPath(new URL(ts ? './worker.ts' : './worker.js', import.meta.url));
  return { path, execArgv: ts ? ['--import', import.meta.resolve('tsx')] : [] };
}

interface Worker {
  child: ChildProcess;
  stderr: string;
  ready: Promise<void>;
}

function spawnWorker(i: number, seed: number): Worker {
  const { path, execArgv } = workerEntry();
  const child = fork(path, [String((seed + i) >>> 0)], {
    execArgv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const w: Worker = { child, stderr: '', ready: Promise.resolve() };
  child.stderr?.on('data', (d: Buffer) => {
    w.stderr = (w.stderr + d.toString()).slice(-STDERR_TAIL);
  });
  w.ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: FromWorker) => {
      if (m?.type === 'ready') resolve();
    });
    child.once('exit', (code, sig) =>
      reject(
        new LoadtestError('WORKER_FAILED', `${nodeName(i)} exited (${sig ?? code}): ${w.stderr.trim()}`),
      ),
    );
    child.once('error', (e) =>
      reject(new LoadtestError('WORKER_FAILED', `${nodeName(i)}: ${e.message}`, { cause: e })),
    );
  });
  w.ready.catch(() => {});
  return w;
}

/**
 * `n` QUIC nodes on 127.0.0.1, one child process each. Loss and partitions are applied
 * by each worker to its own outgoing packets (see udp-faults.ts).
 */
export async function quicCluster(n: number, seed: number, signal?: AbortSignal): Promise<Cluster> {
  const workers = Array.from({ length: n }, (_, i) => spawnWorker(i, seed));
  const killAll = () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  try {
    await raceAbort(Promise.all(workers.map((w) => w.ready)), signal);
  } catch (e) {
    killAll();
    process.off('exit', killAll);
    throw e;
  }
  const names = workers.map((_, i) => nodeName(i));
  const agents = workers.map((w, i) => new RemoteAgent(w.child, names[i]!, () => w.stderr));
  const up = new Array<boolean>(n).fill(true);
  const ports: number[] = [];
  const each = (ids: readonly number[], f: (i: number) => Promise<void>) =>
    Promise.all(ids.filter((i) => up[i]).map(f)).then(() => {});
  const all = Array.from({ length: n }, (_, i) => i);
  let closing: Promise<void> | undefined;
  return {
    transport: 'quic',
    agents,
    names,
    async startNode(i, sig): Promise<Started> {
      const boot = i === 0 ? [] : [`127.0.0.1:${ports[0]}`];
      const spec = {
        name: names[i]!,
        realm: REALM,
        host: '127.0.0.1',
        port: 0,
        bootstrap: boot,
        expectMembers: n,
      };
      const s = await agents[i]!.start(spec, sig);
      ports[i] = s.port;
      return s;
    },
    isUp: (i) => up[i] === true,
    async kill(i) {
      up[i] = false;
      const child = workers[i]!.child;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    async partition(a, b, sig) {
      const portsOf = (ids: readonly number[]) => ids.map((i) => ports[i]!);
      await each(a, (i) => agents[i]!.netFault({ dropRate: 0, blockPorts: portsOf(b) }, sig));
      await each(b, (i) => agents[i]!.netFault({ dropRate: 0, blockPorts: portsOf(a) }, sig));
    },
    loss: (rate, sig) => each(all, (i) => agents[i]!.netFault({ dropRate: rate, blockPorts: [] }, sig)),
    heal: (sig) => each(all, (i) => agents[i]!.netFault({ dropRate: 0, blockPorts: [] }, sig)),
    close() {
      closing ??= (async () => {
        await Promise.all(agents.map((a, i) => (up[i] ? bounded(a.stop(), 5000) : undefined)));
        killAll();
        await Promise.all(
          workers.map((w) =>
            w.child.exitCode === null && w.child.signalCode === null
              ? bounded(new Promise((r) => w.child.once('exit', r)), 5000)
              : undefined,
          ),
        );
        process.off('exit', killAll);
      })();
      return closing;
    },
  };
}
