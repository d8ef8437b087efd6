/**
 * The IPC protocol between the runner and a QUIC worker: one request per agent method,
 * matched to its response by id; aborting a request sends `cancel`, which aborts the
 * method's signal in the worker.
 */
import type { ChildProcess } from 'node:child_process';
import { MaculaError } from '../core/index.js';
import { raceAbort } from '../runtime/index.js';
import type { AgentApi, AgentMethod } from './agent-types.js';
import { LoadtestError } from './errors.js';

export type ToWorker =
  | { type: 'req'; id: number; method: AgentMethod; arg?: unknown }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'res'; id: number; ok: true; value: unknown }
  | { type: 'res'; id: number; ok: false; error: { code?: string; message: string } };

/** An error that crossed IPC keeps its code. */
export function fromWire(e: { code?: string; message: string }): Error {
  return new MaculaError(e.code ?? 'AGENT_FAILED', e.message);
}

/** An {@link AgentApi} whose node runs in a worker process. */
export class RemoteAgent implements AgentApi {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private gone?: Error;

  constructor(
    private readonly child: ChildProcess,
    readonly label: string,
    /** The worker's last stderr output, for the error when it dies. */
    stderrTail: () => string = () => '',
  ) {
    child.on('message', (m: FromWorker) => {
      if (m?.type !== 'res') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(fromWire(m.error));
    });
    child.once('exit', (code, sig) => {
      const tail = stderrTail().trim();
      this.gone = new LoadtestError(
        'WORKER_FAILED',
        `${label} exited (${sig ?? code})${tail ? `: ${tail}` : ''}`,
      );
      for (const p of this.pending.values()) p.reject(this.gone);
      this.pending.clear();
    });
  }

  private req<T>(method: AgentMethod, arg: unknown, signal?: AbortSignal): Promise<T> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    const done = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    this.post({ type: 'req', id, method, arg });
    return raceAbort(done, signal, () => {
      this.pending.delete(id);
      this.post({ type: 'cancel', id });
    });
  }

  private post(m: ToWorker): void {
    if (this.child.connected) this.child.send(m);
  }

  start: AgentApi['start'] = (spec, signal) => this.req('start', spec, signal);
  waitFullView: AgentApi['waitFullView'] = (ms, signal) => this.req('waitFullView', ms, signal);
  reset: AgentApi['reset'] = (spec, signal) => this.req('reset', spec, signal);
  subscribe: AgentApi['subscribe'] = (topic, signal) => this.req('subscribe', topic, signal);
  warmPublish: AgentApi['warmPublish'] = (arg, signal) => this.req('warmPublish', arg, signal);
  publish: AgentApi['publish'] = (spec, signal) => this.req('publish', spec, signal);
  register: AgentApi['register'] = (name, signal) => this.req('register', name, signal);
  warmCall: AgentApi['warmCall'] = (arg, signal) => this.req('warmCall', arg, signal);
  call: AgentApi['call'] = (spec, signal) => this.req('call', spec, signal);
  progress: AgentApi['progress'] = (signal) => this.req('progress', undefined, signal);
  collect: AgentApi['collect'] = (signal) => this.req('collect', undefined, signal);
  netFault: AgentApi['netFault'] = (fault, signal) => this.req('netFault', fault, signal);
  stop: AgentApi['stop'] = (signal) => this.req('stop', undefined, signal);
}

/** Runs `method` of `agent` with the argument a request carried (trusted: our own parent sent it). */
export function dispatch(
  agent: AgentApi,
  method: AgentMethod,
  arg: unknown,
  signal: AbortSignal,
): Promise<unknown> {
  const a = agent;
  switch (method) {
    case 'start':
      return a.start(arg as Parameters<AgentApi['start']>[0], signal);
    case 'waitFullView':
      return a.waitFullView(Number(arg), signal);
    case 'reset':
      return a.reset(arg as Parameters<AgentApi['reset']>[0], signal);
    case 'subscribe':
      return a.subscribe(String(arg), signal);
    case 'warmPublish':
      return a.warmPublish(arg as Parameters<AgentApi['warmPublish']>[0], signal);
    case 'publish':
      return a.publish(arg as Parameters<AgentApi['publish']>[0], signal);
    case 'register':
      return a.register(String(arg), signal);
    case 'warmCall':
      return a.warmCall(arg as Parameters<AgentApi['warmCall']>[0], signal);
    case 'call':
      return a.call(arg as Parameters<AgentApi['call']>[0], signal);
    case 'netFault':
      return a.netFault(arg as Parameters<AgentApi['netFault']>[0], signal);
    case 'progress':
      return a.progress(signal);
    case 'collect':
      return a.collect(signal);
    case 'stop':
      return a.stop(signal);
  }
}
