import { mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { MaculaError } from '../core/index.js';

/**
 * The local control channel: a Unix socket in the node's data directory speaking one
 * JSON request and one JSON answer per line. `macula status`, `members`, `routes`,
 * `lookup`… ask the running node through it instead of starting a second node
 * (answers.ts).
 *
 * Request: `{"command": "lookup", "args": ["<hex>"]}` (`args` optional: at most
 * {@link MAX_ARGS} strings of at most {@link MAX_ARG_LENGTH} characters).
 * Answer: `{"ok": true, "result": …}` or `{"ok": false, "error": "…", "code"?: "…"}`.
 */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'control.sock');
}

export const MAX_ARGS = 8;
export const MAX_ARG_LENGTH = 1024;
/** A request line longer than this closes the connection. */
const MAX_REQUEST = 64 * 1024;

/**
 * Answers one request. `signal` aborts when the client goes away before the answer
 * (a long command such as a lookup can stop early).
 */
export type ControlHandler = (
  command: string,
  args: string[],
  signal: AbortSignal,
) => unknown | Promise<unknown>;

export interface ControlRequest {
  command: string;
  args: string[];
}

/** Parses and validates one request line; throws a `MaculaError('BAD_REQUEST')` saying why. */
export function parseControlRequest(line: string): ControlRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new MaculaError('BAD_REQUEST', 'bad request: not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MaculaError('BAD_REQUEST', 'bad request: not an object');
  }
  const { command, args } = raw as { command?: unknown; args?: unknown };
  if (typeof command !== 'string' || command.length === 0 || command.length > 64) {
    throw new MaculaError('BAD_REQUEST', 'bad request: "command" must be a non-empty string');
  }
  if (args === undefined) return { command, args: [] };
  if (!Array.isArray(args) || args.length > MAX_ARGS) {
    throw new MaculaError(
      'BAD_REQUEST',
      `bad request: "args" must be an array of at most ${MAX_ARGS} strings`,
    );
  }
  for (const a of args) {
    if (typeof a !== 'string' || a.length > MAX_ARG_LENGTH) {
      throw new MaculaError(
        'BAD_REQUEST',
        `bad request: each arg must be a string of at most ${MAX_ARG_LENGTH} chars`,
      );
    }
  }
  return { command, args: args as string[] };
}

function failure(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return JSON.stringify({
    ok: false,
    error: e instanceof Error ? e.message : String(e),
    ...(typeof code === 'string' ? { code } : {}),
  });
}

/** Serves control requests; returns a function that closes the server and removes the socket. */
export async function serveControl(dataDir: string, handler: ControlHandler): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = controlSocketPath(dataDir);
  rmSync(path, { force: true }); // a stale socket from a crashed run
  const server: Server = createServer((sock) => {
    let buf = '';
    let handled = false;
    const gone = new AbortController();
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      if (handled) return; // one request per connection
      buf += d;
      if (buf.length > MAX_REQUEST) return void sock.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      handled = true;
      let req: ControlRequest;
      try {
        req = parseControlRequest(buf.slice(0, nl));
      } catch (e) {
        return void sock.end(`${failure(e)}\n`);
      }
      Promise.resolve()
        .then(() => handler(req.command, req.args, gone.signal))
        .then(
          (result) => sock.end(`${JSON.stringify({ ok: true, result })}\n`),
          (e: unknown) => sock.end(`${failure(e)}\n`),
        );
    });
    sock.on('close', () => gone.abort(new MaculaError('CONTROL_CLOSED', 'the control client went away')));
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

/** How long the client waits for an answer (ms), by command; others {@link DEFAULT_CONTROL_TIMEOUT_MS}. */
export const CONTROL_TIMEOUTS: Readonly<Record<string, number>> = {
  // The node's own lookup deadline is 30 s.
  lookup: 35_000,
};
export const DEFAULT_CONTROL_TIMEOUT_MS = 3000;

export interface AskOptions {
  args?: string[];
  /** Default: {@link CONTROL_TIMEOUTS} for the command, else 3 s. */
  timeoutMs?: number;
}

/**
 * Asks the node running on `dataDir`. Rejects with the node's error code when it
 * refused (e.g. `LOOKUP_FAILED`), `CONTROL_TIMEOUT`, or `NO_NODE`.
 */
export function askControl(dataDir: string, command: string, opts: AskOptions = {}): Promise<unknown> {
  const path = controlSocketPath(dataDir);
  const timeoutMs = opts.timeoutMs ?? CONTROL_TIMEOUTS[command] ?? DEFAULT_CONTROL_TIMEOUT_MS;
  const request = opts.args?.length ? { command, args: opts.args } : { command };
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new MaculaError('CONTROL_TIMEOUT', `No answer from the node at ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(request)}\n`));
    sock.on('data', (d: string) => {
      buf += d;
    });
    sock.on('end', () => {
      clearTimeout(timer);
      let answer: { ok: boolean; result?: unknown; error?: string; code?: string };
      try {
        answer = JSON.parse(buf) as typeof answer;
      } catch (e) {
        return reject(new MaculaError('CONTROL_FAILED', 'Malformed answer from the node', { cause: e }));
      }
      if (answer.ok) resolve(answer.result);
      else reject(new MaculaError(answer.code ?? 'CONTROL_FAILED', answer.error ?? 'control request failed'));
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? 'no node is running there' : e.message;
      reject(new MaculaError('NO_NODE', `Cannot reach a node through ${path}: ${why}`, { cause: e }));
    });
  });
}
