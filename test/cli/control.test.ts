// The control socket in-process: requests with and without args, validation, error
// codes, per-command timeouts, and cancellation when the client goes away.
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { after, describe, it } from 'node:test';
import {
  askControl,
  CONTROL_TIMEOUTS,
  type ControlHandler,
  controlSocketPath,
  MAX_ARG_LENGTH,
  MAX_ARGS,
  parseControlRequest,
  serveControl,
} from '../../src/cli/control.js';
import { MaculaError } from '../../src/core/index.js';
import { removeTempDirs, tempDir } from './helpers.js';

after(() => removeTempDirs());

/** Sends one raw line and returns the parsed answer. */
function raw(
  dir: string,
  line: string,
): Promise<{ ok: boolean; result?: unknown; error?: string; code?: string }> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(controlSocketPath(dir));
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${line}\n`));
    sock.on('data', (d: string) => {
      buf += d;
    });
    sock.on('end', () => resolve(JSON.parse(buf)));
    sock.on('error', reject);
  });
}

async function serving(handler: ControlHandler): Promise<{ dir: string; close: () => Promise<void> }> {
  const dir = tempDir('ctl');
  return { dir, close: await serveControl(dir, handler) };
}

describe('parseControlRequest', () => {
  it('accepts old requests (no args) and requests with bounded string args', () => {
    assert.deepEqual(parseControlRequest('{"command":"status"}'), { command: 'status', args: [] });
    assert.deepEqual(parseControlRequest('{"command":"lookup","args":["ab"]}'), {
      command: 'lookup',
      args: ['ab'],
    });
    const most = Array.from({ length: MAX_ARGS }, () => 'x'.repeat(MAX_ARG_LENGTH));
    assert.equal(parseControlRequest(JSON.stringify({ command: 'c', args: most })).args.length, MAX_ARGS);
  });

  it('refuses malformed requests with BAD_REQUEST', () => {
    for (const line of [
      'not json',
      '[]',
      'null',
      '{}',
      '{"command":""}',
      '{"command":3}',
      '{"command":"c","args":"x"}',
      '{"command":"c","args":[1]}',
      JSON.stringify({ command: 'c', args: Array(MAX_ARGS + 1).fill('x') }),
      JSON.stringify({ command: 'c', args: ['x'.repeat(MAX_ARG_LENGTH + 1)] }),
    ]) {
      assert.throws(() => parseControlRequest(line), { code: 'BAD_REQUEST' }, line);
    }
  });
});

describe('serveControl / askControl', () => {
  it('passes args to the handler and the answer back', async () => {
    const { dir, close } = await serving((command, args) => ({ command, args }));
    try {
      assert.deepEqual(await askControl(dir, 'status'), { command: 'status', args: [] });
      assert.deepEqual(await askControl(dir, 'lookup', { args: ['a', 'b'] }), {
        command: 'lookup',
        args: ['a', 'b'],
      });
      const bad = await raw(dir, JSON.stringify({ command: 'x', args: [{}] }));
      assert.equal(bad.ok, false);
      assert.equal(bad.code, 'BAD_REQUEST');
    } finally {
      await close();
    }
  });

  it("rejects with the node's error code", async () => {
    const { dir, close } = await serving(() => {
      throw new MaculaError('LOOKUP_FAILED', 'nobody to ask');
    });
    try {
      await assert.rejects(askControl(dir, 'lookup', { args: ['x'] }), {
        code: 'LOOKUP_FAILED',
        message: 'nobody to ask',
      });
    } finally {
      await close();
    }
  });

  it('waits longer for a lookup than for other commands, and times out', async () => {
    assert.ok((CONTROL_TIMEOUTS.lookup ?? 0) > 30_000);
    const { dir, close } = await serving(() => new Promise(() => {}));
    try {
      await assert.rejects(askControl(dir, 'status', { timeoutMs: 100 }), { code: 'CONTROL_TIMEOUT' });
    } finally {
      await close();
    }
  });

  it('aborts the handler when the client goes away', async () => {
    let aborted!: () => void;
    const seen = new Promise<void>((resolve) => {
      aborted = resolve;
    });
    const { dir, close } = await serving(
      (_c, _a, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted();
            reject(signal.reason);
          });
        }),
    );
    try {
      await assert.rejects(askControl(dir, 'lookup', { args: ['x'], timeoutMs: 100 }), {
        code: 'CONTROL_TIMEOUT',
      });
      await seen;
    } finally {
      await close();
    }
  });

  it('says when no node is running', async () => {
    await assert.rejects(askControl(tempDir('none'), 'status'), { code: 'NO_NODE' });
  });
});
