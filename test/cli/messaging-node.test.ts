// The messaging commands of the `macula` CLI (child processes) against a node of this
// process that serves the control socket like `macula start` does, so that it can provide
// procedures (a CLI node has none) and publish binary and bigint payloads.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { answer } from '../../src/cli/answers.js';
import { serveControl } from '../../src/cli/control.js';
import type { StatsAnswer } from '../../src/cli/messaging.js';
import type { NodeConfig } from '../../src/config/index.js';
import { MaculaError } from '../../src/core/index.js';
import { count, testnet } from '../helpers/testnet.js';
import { BIN, maculaOnce, removeTempDirs, tempDir } from './helpers.js';

after(() => removeTempDirs());

/** A human-mode `macula` process whose stdout lines can be awaited. */
function humanCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let waiter: (() => void) | undefined;
  createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(l);
    waiter?.();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const line = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const l = lines.find((x) => re.test(x));
        if (l) resolve(l);
      };
      waiter = check;
      check();
      void exited.then(() => reject(new Error(`exited before ${re}: ${lines.join('\n')}\n${stderr}`)));
    });
  return { child, lines, line, exited, stderr: () => stderr };
}

describe('macula call / subscribe / stats against a node with procedures', { timeout: 60_000 }, () => {
  it('prints results and typed errors, and formats binary and bigint payloads', async (t) => {
    const tn = await testnet(t, 2);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 2), 10_000, 'formed');
    const [node, provider] = [tn.nodes[0]!, tn.nodes[1]!];
    await provider.register<{ a: number; b: number }, number>('math.add', ({ a, b }) => a + b);
    await provider.register('svc.fail', () => {
      throw new MaculaError('QUOTA_EXCEEDED', 'too many widgets');
    });
    await provider.register('svc.bytes', () => ({ raw: new Uint8Array([104, 105]), big: 2n ** 60n }));
    await provider.register('svc.hang', () => new Promise(() => {}));
    const dir = tempDir('msgnode');
    const config = { name: 'inproc' } as NodeConfig;
    const close = await serveControl(dir, (c, a, s) => answer(node, config, c, a, s));
    t.after(close);

    const [sum, sumJson, fail, failJson, bytes, hang] = await Promise.all([
      maculaOnce(['call', 'math.add', '{"a": 2, "b": 40}', '-d', dir]),
      maculaOnce(['call', 'math.add', '{"a": 1, "b": 1}', '-d', dir, '--json']),
      maculaOnce(['call', 'svc.fail', '-d', dir]),
      maculaOnce(['call', 'svc.fail', '-d', dir, '--json']),
      maculaOnce(['call', 'svc.bytes', '-d', dir]),
      maculaOnce(['call', 'svc.hang', '-d', dir, '--timeout', '300']),
    ]);
    assert.deepEqual([sum.code, sum.stdout], [0, '42\n'], sum.stderr);
    assert.deepEqual([sumJson.code, sumJson.stdout], [0, '2\n'], sumJson.stderr);
    assert.equal(fail.code, 1);
    assert.match(
      fail.stderr,
      /^\[error\] svc\.fail failed on [0-9a-f]{8}: too many widgets \(REMOTE_ERROR, remote code QUOTA_EXCEEDED\)$/m,
    );
    assert.equal(failJson.code, 1);
    const failed = JSON.parse(failJson.stdout) as Record<string, unknown>;
    assert.match(String(failed.msg), /too many widgets$/);
    assert.deepEqual(
      [failed.level, failed.code, failed.remoteCode],
      ['error', 'REMOTE_ERROR', 'QUOTA_EXCEEDED'],
    );
    assert.equal(bytes.code, 0, bytes.stderr);
    assert.deepEqual(JSON.parse(bytes.stdout), { raw: { $base64: 'aGk=' }, big: '1152921504606846976' });
    assert.equal(hang.code, 1);
    assert.match(hang.stderr, /^\[error\] .*\(TIMEOUT\)$/m);

    // A human subscriber: one line per event, binary shown as base64, bigint as a string.
    const sub = humanCli(['subscribe', 'data.**', '-d', dir, '--count', '3']);
    assert.equal(await sub.line(/Subscribed/), '[info] Subscribed to data.** (ctrl-c to stop)');
    await node.publish('data.bin', new Uint8Array([1, 2, 3]));
    await node.publish('data.big.one', { n: 2n ** 62n });
    await provider.publish('data.text', 'hello', { ack: true });
    assert.equal(await sub.exited, 0, sub.stderr());
    const shown = sub.lines.slice(1);
    assert.equal(shown.length, 3, shown.join('\n'));
    assert.match(
      shown[0]!,
      /^\[\d\d:\d\d:\d\d\.\d{3}\] data\.bin from node0: <binary 3 bytes, base64 AQID>$/,
    );
    assert.match(shown[1]!, /^\[[\d:.]{12}\] data\.big\.one from node0: \{"n":"4611686018427387904"\}$/);
    assert.match(shown[2]!, /^\[[\d:.]{12}\] data\.text from node1: "hello"$/);

    const stats = await maculaOnce(['stats', '-d', dir, '--json']);
    const s = JSON.parse(stats.stdout) as StatsAnswer;
    assert.equal(s.name, 'inproc');
    assert.ok(s.rpc.calls >= 6 && s.rpc.callFailures >= 3, JSON.stringify(s.rpc));
    assert.ok(s.pubsub.delivered >= 1 && s.pubsub.published >= 2, JSON.stringify(s.pubsub));
  });
});
