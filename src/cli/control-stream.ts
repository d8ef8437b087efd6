import type { Socket } from 'node:net';

/**
 * Streaming answers of the control channel (control.ts). A handler that returns a
 * {@link ControlStream} (see {@link controlStream}) keeps the connection open: once
 * `ready` resolves the server writes `{"ok": true, "stream": true, "result": <ready value>}`,
 * then one `{"ok": true, "event": …}` line per item, then `{"ok": true, "end": true}` when
 * the items end. A failure (before or after the first line) is the usual
 * `{"ok": false, "error": "…", "code": "…"}` line, and closes the connection. The client
 * ends a stream by closing the connection: the handler's `signal` aborts then.
 */
export class ControlStream {
  constructor(
    readonly events: AsyncIterable<unknown>,
    readonly ready: Promise<unknown>,
  ) {}
}

/** Marks a handler's result as a stream of `events`, announced once `ready` resolves (with its value). */
export function controlStream(
  events: AsyncIterable<unknown>,
  ready: Promise<unknown> = Promise.resolve(),
): ControlStream {
  return new ControlStream(events, ready);
}

/**
 * The `{"ok": false, …}` line for `e`: its message, its `code`, and the details a client
 * may show (`remoteCode` of an RPC remote error, `missing` subscribers of a publish).
 */
export function failureLine(e: unknown): string {
  const { code, remoteCode, missing } = (e ?? {}) as {
    code?: unknown;
    remoteCode?: unknown;
    missing?: unknown;
  };
  return JSON.stringify({
    ok: false,
    error: e instanceof Error ? e.message : String(e),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof remoteCode === 'string' ? { remoteCode } : {}),
    ...(Array.isArray(missing) && missing.every((m) => typeof m === 'string') ? { missing } : {}),
  });
}

/**
 * `value` as one JSON line (`ok`), or a `BAD_ANSWER` failure line when it cannot be
 * serialized (a bigint, a cycle).
 */
export function answerLine(value: Record<string, unknown>): { line: string; ok: boolean } {
  try {
    return { line: JSON.stringify(value), ok: true };
  } catch (e) {
    const why = `The answer cannot be sent as JSON: ${(e as Error).message}`;
    return { line: failureLine(Object.assign(new Error(why), { code: 'BAD_ANSWER' })), ok: false };
  }
}

/** Resolves when `signal` aborts (never rejects). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** True once `sock` can take more (or closed, or `signal` aborted). */
function drained(sock: Socket, signal: AbortSignal): Promise<void> {
  return Promise.race([
    new Promise<void>((resolve) => {
      const done = () => {
        sock.off('drain', done);
        sock.off('close', done);
        resolve();
      };
      sock.on('drain', done);
      sock.on('close', done);
    }),
    aborted(signal),
  ]);
}

/**
 * Writes `stream` to `sock` as described on {@link ControlStream} until the items end, the
 * client goes away or `signal` aborts for another reason (the server stops: the reason is
 * sent as the last, failure, line). Never rejects.
 */
export async function pumpStream(sock: Socket, stream: ControlStream, signal: AbortSignal): Promise<void> {
  const stop = aborted(signal);
  stream.ready.catch(() => {}); // a rejection after the client left is nobody's to report
  const finish = (line?: string) => {
    if (sock.destroyed || sock.writableEnded) return;
    if (line === undefined && signal.aborted) line = failureLine(signal.reason);
    if (line === undefined) sock.end();
    else sock.end(`${line}\n`);
  };
  let first: unknown;
  try {
    const r = await Promise.race([stream.ready.then((value) => ({ value })), stop]);
    if (!r) return finish();
    first = r.value;
  } catch (e) {
    return finish(failureLine(e));
  }
  const head = answerLine({ ok: true, stream: true, result: first });
  if (!head.ok) return finish(head.line);
  sock.write(`${head.line}\n`);
  const it = stream.events[Symbol.asyncIterator]();
  let last: string | undefined;
  try {
    for (;;) {
      const pending = it.next();
      pending.catch(() => {}); // still pending when `stop` wins: its failure no longer matters
      const next = await Promise.race([pending, stop]);
      if (!next || signal.aborted) break;
      if (next.done) {
        last = JSON.stringify({ ok: true, end: true });
        break;
      }
      const { line, ok } = answerLine({ ok: true, event: next.value });
      if (!ok) {
        last = line;
        break;
      }
      if (!sock.write(`${line}\n`)) await drained(sock, signal);
    }
  } catch (e) {
    last = failureLine(e);
  } finally {
    // Ends the producer (a subscription unsubscribes); it may still be waiting for an item.
    void Promise.resolve(it.return?.()).catch(() => {});
  }
  finish(last);
}
