import { mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { MaculaError } from '../core/index.js';
import { answerLine, ControlStream, failureLine, pumpStream } from './control-stream.js';

/**
 * The local control channel: a Unix socket in the node's data directory speaking one
 * JSON request and one JSON answer per line. `macula status`, `members`, `routes`,
 * `lookup`… ask the running node through it instead of starting a second node
 * (answers.ts).
 *
 * Request: `{"command": "lookup", "args": ["<hex>"]}` (`args` optional: at most
 * {@link MAX_ARGS} strings of at most {@link MAX_ARG_LENGTH} characters).
 * Answer: `{"ok": true, "result": …}` or `{"ok": false, "error": "…", "code"?: "…"}`
 * (plus `remoteCode` / `missing` when the error has them). A command such as `subscribe`
 * answers with a stream of lines instead (control-stream.ts, {@link streamControl}).
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
 * (a long command such as a lookup can stop early), or when the server closes. A
 * {@link ControlStream} result (see `controlStream`) is streamed until the client goes away.
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

/** Serves control requests; returns a function that closes the server and removes the socket. */
export async function serveControl(dataDir: string, handler: ControlHandler): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = controlSocketPath(dataDir);
  rmSync(path, { force: true }); // a stale socket from a crashed run
  // Open connections' aborters: closing the server ends their commands (and streams).
  const open = new Set<AbortController>();
  const server: Server = createServer((sock) => {
    let buf = '';
    let handled = false;
    const gone = new AbortController();
    open.add(gone);
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
        return void sock.end(`${failureLine(e)}\n`);
      }
      Promise.resolve()
        .then(() => handler(req.command, req.args, gone.signal))
        .then(
          (result) => {
            if (result instanceof ControlStream) return pumpStream(sock, result, gone.signal);
            sock.end(`${answerLine({ ok: true, result }).line}\n`);
          },
          (e: unknown) => void sock.end(`${failureLine(e)}\n`),
        );
    });
    sock.on('close', () => {
      open.delete(gone);
      gone.abort(new MaculaError('CONTROL_CLOSED', 'the control client went away'));
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
      for (const c of [...open]) c.abort(new MaculaError('NODE_STOPPING', 'The node is stopping'));
    });
}

/** A refusal from the node: its code, and the details some errors carry. */
export class ControlError extends MaculaError {
  /** REMOTE_ERROR of `call`: the code the remote handler's error carried. */
  readonly remoteCode: string | undefined;
  /** NOT_ACKED of `publish --ack`: the subscriber nodes that did not acknowledge. */
  readonly missing: string[] | undefined;
  constructor(code: string, message: string, details: { remoteCode?: string; missing?: string[] } = {}) {
    super(code, message);
    this.remoteCode = details.remoteCode;
    this.missing = details.missing;
  }
}

interface AnswerLine {
  ok: boolean;
  result?: unknown;
  error?: string;
  code?: string;
  remoteCode?: string;
  missing?: string[];
  stream?: boolean;
  event?: unknown;
  end?: boolean;
}

function parseAnswer(line: string): AnswerLine {
  try {
    const a = JSON.parse(line) as AnswerLine;
    if (typeof a === 'object' && a !== null && typeof a.ok === 'boolean') return a;
  } catch (e) {
    throw new MaculaError('CONTROL_FAILED', 'Malformed answer from the node', { cause: e });
  }
  throw new MaculaError('CONTROL_FAILED', 'Malformed answer from the node');
}

function refusal(a: AnswerLine): ControlError {
  return new ControlError(a.code ?? 'CONTROL_FAILED', a.error ?? 'control request failed', {
    ...(a.remoteCode ? { remoteCode: a.remoteCode } : {}),
    ...(a.missing ? { missing: a.missing } : {}),
  });
}

function noNode(path: string, e: NodeJS.ErrnoException): MaculaError {
  const why = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? 'no node is running there' : e.message;
  return new MaculaError('NO_NODE', `Cannot reach a node through ${path}: ${why}`, { cause: e });
}

/** How long the client waits for an answer (ms), by command; others {@link DEFAULT_CONTROL_TIMEOUT_MS}. */
export const CONTROL_TIMEOUTS: Readonly<Record<string, number>> = {
  // The node's own lookup deadline is 30 s.
  lookup: 35_000,
  // The node's default call and publish-ack deadlines are 10 s (the CLI passes --timeout on).
  call: 15_000,
  publish: 15_000,
};
export const DEFAULT_CONTROL_TIMEOUT_MS = 3000;

export interface AskOptions {
  args?: string[];
  /** Default: {@link CONTROL_TIMEOUTS} for the command, else 3 s. */
  timeoutMs?: number;
}

/**
 * Asks the node running on `dataDir`. Rejects with the node's error code when it
 * refused (e.g. `LOOKUP_FAILED`; a {@link ControlError}), `CONTROL_TIMEOUT`, or `NO_NODE`.
 */
export function askControl(dataDir: string, command: string, opts: AskOptions = {}): Promise<unknown> {
  const path = controlSocketPath(dataDir);
  const timeoutMs = opts.timeoutMs ?? CONTROL_TIMEOUTS[command] ?? DEFAULT_CONTROL_TIMEOUT_MS;
  const request = opts.args?.length ? { command, args: opts.args } : { command };
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      fn();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new MaculaError('CONTROL_TIMEOUT', `No answer from the node at ${path} within ${timeoutMs} ms`),
          ),
        ),
      timeoutMs,
    );
    // The answer is the first line (a streaming command would send more: not for this client).
    const done = () => {
      const nl = buf.indexOf('\n');
      settle(() => {
        try {
          const a = parseAnswer(nl < 0 ? buf : buf.slice(0, nl));
          if (!a.ok) reject(refusal(a));
          else if (a.stream)
            reject(
              new MaculaError('CONTROL_FAILED', `"${command}" answers with a stream: use streamControl`),
            );
          else resolve(a.result);
        } catch (e) {
          reject(e);
        }
      });
    };
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(request)}\n`));
    sock.on('data', (d: string) => {
      buf += d;
      if (buf.includes('\n')) done();
    });
    sock.on('end', done);
    sock.on('error', (e: NodeJS.ErrnoException) => settle(() => reject(noNode(path, e))));
  });
}

export interface StreamOptions {
  args?: string[];
  /** Called with the first line's `result` once the node started the stream. */
  onReady?: (result: unknown) => void;
  /** Called with each item, in order. */
  onEvent: (event: unknown) => void;
  /** Aborting it closes the connection (the node ends the stream) and resolves. */
  signal?: AbortSignal;
  /** How long to wait for the stream to start (ms); no limit once it has. Default 35 s. */
  readyTimeoutMs?: number;
}

/**
 * Runs a streaming command (e.g. `subscribe`) on the node running on `dataDir`: resolves
 * when the node ends the stream or `signal` aborts; rejects with the node's error code
 * (a {@link ControlError}: before the first line or in the middle), `CONTROL_TIMEOUT`
 * (no start within `readyTimeoutMs`), `CONTROL_CLOSED` (the connection dropped) or `NO_NODE`.
 */
export function streamControl(dataDir: string, command: string, opts: StreamOptions): Promise<void> {
  const path = controlSocketPath(dataDir);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 35_000;
  const request = opts.args?.length ? { command, args: opts.args } : { command };
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return resolve();
    const sock = createConnection(path);
    let buf = '';
    let started = false;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      fn();
    };
    const onAbort = () => settle(resolve);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new MaculaError(
              'CONTROL_TIMEOUT',
              `The node at ${path} did not start "${command}" within ${readyTimeoutMs} ms`,
            ),
          ),
        ),
      readyTimeoutMs,
    );
    const line = (text: string) => {
      const a = parseAnswer(text);
      if (!a.ok) return settle(() => reject(refusal(a)));
      if (a.end) return settle(resolve);
      if (!started) {
        started = true;
        clearTimeout(timer);
        opts.onReady?.(a.result);
        if (!a.stream) settle(resolve); // a plain answer: nothing more comes
        return;
      }
      opts.onEvent(a.event);
    };
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(request)}\n`));
    sock.on('data', (d: string) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0 && !settled; nl = buf.indexOf('\n')) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          line(text);
        } catch (e) {
          settle(() => reject(e));
        }
      }
    });
    sock.on('end', () =>
      settle(() => reject(new MaculaError('CONTROL_CLOSED', `The node at ${path} closed the stream`))),
    );
    sock.on('error', (e: NodeJS.ErrnoException) =>
      settle(() =>
        reject(started ? new MaculaError('CONTROL_CLOSED', e.message, { cause: e }) : noNode(path, e)),
      ),
    );
  });
}
