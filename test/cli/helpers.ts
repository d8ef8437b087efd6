import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { MembersAnswer } from '../../src/cli/answers.js';
import { askControl } from '../../src/cli/control.js';

export const BIN = new URL('../../bin/macula.mjs', import.meta.url).pathname;

export interface JsonLine {
  level: string;
  msg: string;
  event?: string;
  [k: string]: unknown;
}

/** A `macula` child process whose JSON output lines can be awaited. */
export class CliProcess {
  readonly lines: JsonLine[] = [];
  private waiters: { pred: (l: JsonLine) => boolean; resolve: (l: JsonLine) => void }[] = [];
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(readonly child: ChildProcess) {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (text) => {
      let line: JsonLine;
      try {
        line = JSON.parse(text) as JsonLine;
      } catch {
        return;
      }
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
  }

  /** How many lines so far: pass it to `waitFor` to ignore what came before. */
  mark(): number {
    return this.lines.length;
  }

  /**
   * The first line from index `from` on (already seen or future) matching `pred`; rejects
   * after `timeoutMs` or on exit.
   */
  waitFor(pred: (l: JsonLine) => boolean, what: string, timeoutMs = 15_000, from = 0): Promise<JsonLine> {
    const seen = this.lines.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for ${what}; output:\n${this.lines.map((l) => JSON.stringify(l)).join('\n')}\n${this.stderr}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`process exited (${code}) before ${what}; stderr:\n${this.stderr}`));
      });
    });
  }

  event(name: string, timeoutMs?: number): Promise<JsonLine> {
    return this.waitFor((l) => l.event === name, `event ${name}`, timeoutMs);
  }

  /** Resolves once stderr (the node's log lines) matches `re`. */
  async waitForStderr(re: RegExp, what: string, timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!re.test(this.stderr)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what} on stderr:\n${this.stderr}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        child.stderr!.off('data', check);
      };
      child.stderr!.on('data', check);
      check();
    });
  }
}

const tempDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `macula-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Removes every `tempDir` made so far (call once the processes using them are gone). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs `macula <args>` and returns the child wrapper (JSON output). */
export function macula(args: string[]): CliProcess {
  return new CliProcess(
    spawn(process.execPath, [BIN, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/** Runs a short `macula` command to completion; returns stdout and the exit code. */
export function maculaOnce(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return nodeOnce([BIN, ...args]);
}

/** Runs `node <args>` to completion; returns its output and exit code. */
export async function nodeOnce(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Polls `check` (every 100 ms) until it returns true; fails with `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A UDP port free right now on 127.0.0.1 (for a node that must start on a known port later). */
export async function freeUdpPort(): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const { port } = sock.address();
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

/**
 * `macula start` processes of one test file: `start` launches a node on loopback (realm
 * org.example.mesh), `track` adopts any other process; `cleanup` (register it with
 * `after`) SIGKILLs what is still running and removes the temp dirs.
 */
export function nodeProcesses(realm = 'org.example.mesh') {
  const running: CliProcess[] = [];
  const track = (p: CliProcess): CliProcess => {
    running.push(p);
    return p;
  };
  return {
    track,
    start(name: string, dataDir: string, bootstrap: number[] = [], port = 0): CliProcess {
      const args = ['start', '--realm', realm, '--host', '127.0.0.1', '--port', String(port)];
      args.push('--name', name, '--data-dir', dataDir);
      for (const p of bootstrap) args.push('--bootstrap', `127.0.0.1:${p}`);
      return track(macula(args));
    },
    async cleanup(): Promise<void> {
      for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await Promise.all(running.map((p) => p.exited));
      removeTempDirs();
    },
  };
}

/** The node id and UDP port a `macula start` process reports once ready. */
export async function ready(p: CliProcess): Promise<{ id: string; port: number }> {
  const l = await p.event('ready');
  return { id: String(l.nodeId), port: (l.address as { port: number }).port };
}

/** True when the node on `dataDir` sees `n` members, all alive (asked through its control socket: cheap enough to poll). */
export async function allAlive(dataDir: string, n: number): Promise<boolean> {
  const a = (await askControl(dataDir, 'members')) as MembersAnswer;
  return a.members.length === n && a.members.every((m) => m.state === 'alive');
}
