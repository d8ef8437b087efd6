import { mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { MaculaError } from '../core/index.js';

/**
 * The local control channel: a Unix socket in the node's data directory speaking one
 * JSON request and one JSON answer per line. `macula status`, `members` and `topology`
 * ask the running node through it instead of starting a second node (answers.ts).
 */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'control.sock');
}

export type ControlHandler = (command: string) => unknown | Promise<unknown>;

/** Serves control requests; returns a function that closes the server and removes the socket. */
export async function serveControl(dataDir: string, handler: ControlHandler): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = controlSocketPath(dataDir);
  rmSync(path, { force: true }); // a stale socket from a crashed run
  const server: Server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      if (buf.length > 64 * 1024) return void sock.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      let command = '';
      try {
        command = String((JSON.parse(line) as { command?: unknown }).command ?? '');
      } catch {
        return void sock.end(`${JSON.stringify({ ok: false, error: 'bad request' })}\n`);
      }
      Promise.resolve()
        .then(() => handler(command))
        .then(
          (result) => sock.end(`${JSON.stringify({ ok: true, result })}\n`),
          (e: unknown) => sock.end(`${JSON.stringify({ ok: false, error: (e as Error).message })}\n`),
        );
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      rmSync(path, { force: true });
    });
}

/** Asks the node running on `dataDir`. */
export function askControl(dataDir: string, command: string, timeoutMs = 3000): Promise<unknown> {
  const path = controlSocketPath(dataDir);
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new MaculaError('CONTROL_TIMEOUT', `No answer from the node at ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify({ command })}\n`));
    sock.on('data', (d: string) => {
      buf += d;
    });
    sock.on('end', () => {
      clearTimeout(timer);
      try {
        const answer = JSON.parse(buf) as { ok: boolean; result?: unknown; error?: string };
        if (answer.ok) resolve(answer.result);
        else reject(new MaculaError('CONTROL_FAILED', answer.error ?? 'control request failed'));
      } catch (e) {
        reject(new MaculaError('CONTROL_FAILED', 'Malformed answer from the node', { cause: e }));
      }
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? 'no node is running there' : e.message;
      reject(new MaculaError('NO_NODE', `Cannot reach a node through ${path}: ${why}`, { cause: e }));
    });
  });
}
