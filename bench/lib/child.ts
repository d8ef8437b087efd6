/**
 * Child processes for benches: fork a TypeScript entry point with an IPC channel, wait for
 * typed messages, and make sure every child dies with the parent (normal exit, failure,
 * SIGINT/SIGTERM). Children call {@link exitWithParent} so they also go when the parent is
 * killed hard (the IPC channel closes).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { errorMessage, TimeoutError, withTimeout } from './time.js';

/** Every IPC message is a JSON object with a `type`. */
export interface Message {
  type: string;
  [key: string]: unknown;
}

/** Sent by a child that failed; rejects whatever the parent is waiting for. */
export interface ErrorMessage extends Message {
  type: 'error';
  message: string;
}

/** The repository root (bench/lib/ is two levels down). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  const signals: [NodeJS.Signals, number][] = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ];
  for (const [signal, code] of signals) {
    process.once(signal, () => {
      killAll();
      process.exit(code);
    });
  }
}

/**
 * Gives a process the bench started some other way (a server binary, say) the same fate as
 * the forked children: SIGKILLed when the bench exits, fails or gets SIGINT/SIGTERM/SIGHUP.
 */
export function track(proc: ChildProcess): void {
  installHooks();
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
}

/** Extra flags for every child, from BENCH_CHILD_NODE_FLAGS (for example `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
function envNodeFlags(): string[] {
  return (process.env.BENCH_CHILD_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f.length > 0);
}

function isMessage(value: unknown): value is Message {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

export interface SpawnOptions {
  /** Extra node flags, for example `--expose-gc`. `--import tsx` is always added. */
  nodeFlags?: string[];
  args?: string[];
  /** Name used in error messages. */
  label?: string;
}

export class Child {
  readonly label: string;
  readonly exited: Promise<number | null>;
  private readonly proc: ChildProcess;
  private readonly inbox: Message[] = [];
  private readonly waiters = new Set<() => void>();
  private exitCode: number | null | undefined;

  constructor(entry: string | URL, opts: SpawnOptions = {}) {
    installHooks();
    const path = typeof entry === 'string' ? entry : fileURLToPath(entry);
    this.label = opts.label ?? path;
    this.proc = fork(path, opts.args ?? [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx', ...(opts.nodeFlags ?? []), ...envNodeFlags()],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    live.add(this.proc);
    this.proc.on('message', (m: unknown) => {
      if (!isMessage(m)) return;
      this.inbox.push(m);
      this.wake();
    });
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        live.delete(this.proc);
        this.exitCode = code ?? (signal ? -1 : null);
        this.wake();
        resolve(this.exitCode);
      });
    });
    this.proc.on('error', () => {
      // reported through 'exit' or a failed send
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  send(message: Message): void {
    if (this.proc.connected) this.proc.send(message);
  }

  /**
   * Resolves with the next message of `type` (messages of other types stay queued).
   * Rejects on an `error` message from the child, when the child exits, or after `timeoutMs`.
   */
  next<T extends Message>(type: T['type'], timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = (): void => {
        const errIndex = this.inbox.findIndex((m) => m.type === 'error');
        const index = this.inbox.findIndex((m) => m.type === type);
        if (index >= 0 && (errIndex < 0 || index < errIndex)) {
          const [m] = this.inbox.splice(index, 1);
          done();
          resolve(m as T);
        } else if (errIndex >= 0) {
          const [m] = this.inbox.splice(errIndex, 1);
          done();
          reject(new Error(`${this.label}: ${String((m as ErrorMessage).message)}`));
        } else if (this.exitCode !== undefined) {
          done();
          reject(new Error(`${this.label}: exited (code ${this.exitCode}) before sending '${type}'`));
        }
      };
      const done = (): void => {
        this.waiters.delete(check);
        clearTimeout(timer);
      };
      timer = setTimeout(() => {
        done();
        reject(new TimeoutError(`${this.label}: waiting for '${type}'`, timeoutMs));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Asks the child to stop (`{type:'stop'}`), then SIGTERM, then SIGKILL. Resolves once it exited. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.send({ type: 'stop' });
    const gone = await Promise.race([this.exited.then(() => true), delay(graceMs).then(() => false)]);
    if (gone) return;
    this.proc.kill('SIGTERM');
    const gone2 = await Promise.race([this.exited.then(() => true), delay(graceMs).then(() => false)]);
    if (!gone2) this.proc.kill('SIGKILL');
    await this.exited;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/* ---------------------------------------------------------------- child side */

/** In a child: exits when the parent goes away (IPC closed), so no orphan outlives a killed bench. */
export function exitWithParent(): void {
  process.on('disconnect', () => process.exit(0));
}

/** In a child: sends `message`; resolves once it was handed to the IPC channel (safe to exit after). */
export function sendToParent(message: Message): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, undefined, () => resolve());
  });
}

/** In a child: calls `handler` for each message from the parent. */
export function onParentMessage(handler: (message: Message) => void): void {
  process.on('message', (m: unknown) => {
    if (isMessage(m)) handler(m);
  });
}

/**
 * In a child: runs `handle` for each parent message, one at a time and in order; sends
 * its reply (if any), or `{ type: 'error' }` naming the command when it throws. `stop`
 * is answered here: `close()` (what the child started, if anything) gets 3 s, then the
 * child exits 0.
 */
export function serveParentCommands(
  handle: (m: Message) => Promise<Message | undefined>,
  close: () => Promise<unknown> | undefined,
): void {
  let chain: Promise<void> = Promise.resolve();
  onParentMessage((m) => {
    chain = chain.then(async () => {
      if (m.type === 'stop') {
        const closing = close();
        if (closing) await withTimeout(closing, 3_000, 'stop').catch(() => undefined);
        process.exit(0);
      }
      try {
        const reply = await handle(m);
        if (reply) await sendToParent(reply);
      } catch (e) {
        await sendToParent({ type: 'error', message: `${m.type}: ${errorMessage(e)}` });
      }
    });
  });
}

/**
 * In a child that runs one job: sends `{ type: 'result', figures }` (or prints them when run
 * alone) and exits 0; on failure sends `{ type: 'error' }` (or prints it) and exits 1.
 */
export async function reportResult(job: () => Promise<unknown>): Promise<never> {
  try {
    const figures = await job();
    if (process.send) await sendToParent({ type: 'result', figures });
    else console.log(figures);
    process.exit(0);
  } catch (e) {
    if (process.send) await sendToParent({ type: 'error', message: errorMessage(e) });
    else console.error(e);
    process.exit(1);
  }
}

/** In a child: resolves with the next parent message of `type`. */
export function nextParentMessage<T extends Message>(type: T['type']): Promise<T> {
  return new Promise((resolve) => {
    const listener = (m: unknown): void => {
      if (isMessage(m) && m.type === type) {
        process.off('message', listener);
        resolve(m as T);
      }
    };
    process.on('message', listener);
  });
}
