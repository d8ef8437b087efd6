import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

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

  /** The first line (already seen or future) matching `pred`; rejects after `timeoutMs` or on exit. */
  waitFor(pred: (l: JsonLine) => boolean, what: string, timeoutMs = 15_000): Promise<JsonLine> {
    const seen = this.lines.find(pred);
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
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `macula-${prefix}-`));
}

/** Runs `macula <args>` and returns the child wrapper (JSON output). */
export function macula(args: string[]): CliProcess {
  return new CliProcess(
    spawn(process.execPath, [BIN, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/** Runs a short `macula` command to completion; returns stdout and the exit code. */
export async function maculaOnce(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
