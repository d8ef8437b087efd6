// Streaming control answers in-process: the first line once ready, one line per item, the
// end line, failures before and during a stream, cancellation when the client leaves,
// and streams ended when the server closes; error details of plain answers.
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { after, describe, it } from 'node:test';
import {
  askControl,
  ControlError,
  type ControlHandler,
  controlSocketPath,
  serveControl,
  streamControl,
} from '../../src/cli/control.js';
import { controlStream } from '../../src/cli/control-stream.js';
import { MaculaError } from '../../src/core/index.js';
import { removeTempDirs, tempDir } from './helpers.js';

after(() => removeTempDirs());

async function serving(handler: ControlHandler): Promise<{ dir: string; close: () => Promise<void> }> {
  const dir = tempDir('cst');
  return { dir, close: await serveControl(dir, handler) };
}

/** An async iterable fed by hand; records when its consumer stopped it. */
function feed<T>() {
  const items: T[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let returned!: () => void;
  const stopped = new Promise<void>((r) => {
    returned = r;
  });
  const iterable: AsyncIterable<T> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        while (items.length === 0 && !ended) await new Promise<void>((r) => (wake = r));
        return items.length ? { value: items.shift()!, done: false } : { value: undefined, done: true };
      },
      return: async () => {
        ended = true;
        wake?.();
        returned();
        return { value: undefined, done: true };
      },
    }),
  };
  return {
    iterable,
    stopped,
    push: (v: T) => {
      items.push(v);
      wake?.();
    },
    end: () => {
      ended = true;
      wake?.();
    },
  };
}

/** Raw lines of one request, until the server closes the connection. */
function rawLines(dir: string, request: object): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(controlSocketPath(dir));
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(request)}\n`));
    sock.on('data', (d: string) => {
      buf += d;
    });
    sock.on('end', () => resolve(buf.split('\n').filter(Boolean)));
    sock.on('error', reject);
  });
}

describe('streaming control answers', () => {
  it('sends the ready value, one line per item, then the end line', async () => {
    const { dir, close } = await serving((command, args) =>
      controlStream(
        (async function* () {
          yield { n: 1 };
          yield { n: 2, args };
        })(),
        Promise.resolve({ command }),
      ),
    );
    try {
      assert.deepEqual(await rawLines(dir, { command: 'sub', args: ['x'] }), [
        '{"ok":true,"stream":true,"result":{"command":"sub"}}',
        '{"ok":true,"event":{"n":1}}',
        '{"ok":true,"event":{"n":2,"args":["x"]}}',
        '{"ok":true,"end":true}',
      ]);
      const seen: unknown[] = [];
      let ready: unknown;
      await streamControl(dir, 'sub', { onReady: (r) => (ready = r), onEvent: (e) => seen.push(e) });
      assert.deepEqual(ready, { command: 'sub' });
      assert.deepEqual(seen, [{ n: 1 }, { n: 2, args: [] }]);
      // A plain client is told to use the streaming one.
      await assert.rejects(askControl(dir, 'sub'), { code: 'CONTROL_FAILED', message: /stream/ });
    } finally {
      await close();
    }
  });

  it('stops the items and aborts the handler signal when the client goes away', async () => {
    const f = feed<number>();
    let signal!: AbortSignal;
    const { dir, close } = await serving((_c, _a, s) => {
      signal = s;
      return controlStream(f.iterable);
    });
    try {
      const stop = new AbortController();
      const seen: unknown[] = [];
      const done = streamControl(dir, 'sub', {
        onReady: () => f.push(1),
        onEvent: (e) => {
          seen.push(e);
          if (e === 1) f.push(2);
          else stop.abort();
        },
        signal: stop.signal,
      });
      await done; // resolves on the client's abort
      assert.deepEqual(seen, [1, 2]);
      await f.stopped;
      assert.equal(signal.aborted, true);
    } finally {
      await close();
    }
  });

  it('reports failures before the first line and during the stream, with their code', async () => {
    const { dir, close } = await serving((command) => {
      if (command === 'early') throw new MaculaError('INVALID_PATTERN', 'bad pattern');
      if (command === 'unready')
        return controlStream(feed().iterable, Promise.reject(new MaculaError('TOO_MANY_PATTERNS', 'full')));
      return controlStream(
        (async function* () {
          yield 1;
          throw new MaculaError('QUEUE_OVERFLOW', 'too slow');
        })(),
      );
    });
    try {
      await assert.rejects(streamControl(dir, 'early', { onEvent: () => {} }), {
        code: 'INVALID_PATTERN',
        message: 'bad pattern',
      });
      let readied = false;
      await assert.rejects(
        streamControl(dir, 'unready', { onReady: () => (readied = true), onEvent: () => {} }),
        {
          code: 'TOO_MANY_PATTERNS',
        },
      );
      assert.equal(readied, false);
      const seen: unknown[] = [];
      await assert.rejects(streamControl(dir, 'late', { onEvent: (e) => seen.push(e) }), {
        code: 'QUEUE_OVERFLOW',
      });
      assert.deepEqual(seen, [1]);
      // An item that is not JSON (a bigint) ends the stream with BAD_ANSWER instead of crashing.
      const bad = await serving(() =>
        controlStream(
          (async function* () {
            yield 1n;
          })(),
        ),
      );
      await assert.rejects(streamControl(bad.dir, 'x', { onEvent: () => {} }), { code: 'BAD_ANSWER' });
      await bad.close();
    } finally {
      await close();
    }
  });

  it('ends open streams with NODE_STOPPING when the server closes', async () => {
    const f = feed<number>();
    const { dir, close } = await serving(() => controlStream(f.iterable));
    let started!: () => void;
    const ready = new Promise<void>((r) => {
      started = r;
    });
    const stream = streamControl(dir, 'sub', { onReady: started, onEvent: () => {} });
    await ready;
    await Promise.all([close(), assert.rejects(stream, { code: 'NODE_STOPPING' })]);
    await f.stopped;
  });

  it('times out when the stream does not start, and says when no node runs', async () => {
    const { dir, close } = await serving(() => controlStream(feed().iterable, new Promise(() => {})));
    try {
      await assert.rejects(streamControl(dir, 'sub', { onEvent: () => {}, readyTimeoutMs: 100 }), {
        code: 'CONTROL_TIMEOUT',
      });
    } finally {
      await close();
    }
    await assert.rejects(streamControl(tempDir('none'), 'sub', { onEvent: () => {} }), { code: 'NO_NODE' });
  });
});

describe('plain answers', () => {
  it('carry remoteCode and missing of the error, and refuse an answer that is not JSON', async () => {
    const { dir, close } = await serving((command) => {
      if (command === 'big') return { n: 1n };
      const e = new MaculaError('REMOTE_ERROR', 'quota') as MaculaError & {
        remoteCode?: string;
        missing?: string[];
      };
      e.remoteCode = 'QUOTA_EXCEEDED';
      e.missing = ['ab', 'cd'];
      throw e;
    });
    try {
      const err = await askControl(dir, 'call').catch((e: unknown) => e);
      assert.ok(err instanceof ControlError);
      assert.deepEqual(
        [err.code, err.message, err.remoteCode, err.missing],
        ['REMOTE_ERROR', 'quota', 'QUOTA_EXCEEDED', ['ab', 'cd']],
      );
      await assert.rejects(askControl(dir, 'big'), { code: 'BAD_ANSWER' });
    } finally {
      await close();
    }
  });
});
