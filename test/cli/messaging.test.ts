// `macula publish`, `subscribe`, `register`, `call` and `stats` against three real `macula start`
// processes over QUIC on loopback.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { askControl } from '../../src/cli/control.js';
import type { EventLine, PublishAnswer, StatsAnswer } from '../../src/cli/messaging.js';
import {
  allAlive,
  type CliProcess,
  macula,
  maculaOnce,
  nodeProcesses,
  ready,
  tempDir,
  until,
} from './helpers.js';

const REALM = 'org.example.mesh';
const nodes = nodeProcesses(REALM);
after(() => nodes.cleanup());
const { start } = nodes;

async function publishJson(dir: string, topic: string, payload: string, ...flags: string[]) {
  const r = await maculaOnce(['publish', topic, payload, '--data-dir', dir, '--json', ...flags]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout) as PublishAnswer;
}

const events = (p: CliProcess) => p.lines.filter((l) => 'topic' in l) as unknown as EventLine[];

describe('macula publish / subscribe / call / stats (real processes)', { timeout: 90_000 }, () => {
  it('streams events published on another node, reports call errors and counters', async () => {
    const dirs = [tempDir('ms1'), tempDir('ms2'), tempDir('ms3')] as const;
    const n1 = start('node1', dirs[0]);
    const a1 = await ready(n1);
    const n2 = start('node2', dirs[1], [a1.port]);
    const a2 = await ready(n2);
    const n3 = start('node3', dirs[2], [a1.port, a2.port]);
    const a3 = await ready(n3);
    for (const dir of dirs) await until(() => allAlive(dir, 3), `3 alive on ${dir}`, 20_000);

    // node1: a wildcard subscription; node3: a prefix one. Both stop after 2 events.
    const wild = nodes.track(macula(['subscribe', 'hello.*', '--count', '2', '--data-dir', dirs[0]]));
    const prefix = nodes.track(
      macula(['subscribe', 'hello', '--prefix', '--count', '2', '--data-dir', dirs[2]]),
    );
    const [w, p] = await Promise.all([wild.event('subscribed'), prefix.event('subscribed')]);
    assert.deepEqual(
      [w.pattern, w.match, w.msg],
      ['hello.*', 'wildcard', 'Subscribed to hello.* (ctrl-c to stop)'],
    );
    assert.deepEqual([p.pattern, p.match], ['hello', 'prefix']);

    // node2 publishes. Its first lookup may race the fresh announcements: retry until both
    // subscribers are found (a publish that did not list a node was not sent to it).
    let first!: PublishAnswer;
    await until(async () => {
      first = await publishJson(dirs[1], 'hello.world', '{"n": 1, "text": "hi"}');
      return [a1.id, a3.id].every((id) => first.subscribers.includes(id));
    }, 'node2 finds both subscribers');
    assert.equal(first.topic, 'hello.world');
    assert.equal(first.local, 0);
    assert.equal(first.names[a1.id], 'node1');
    const second = await publishJson(dirs[1], 'hello.world', '[2, null, true]', '--ack', '--timeout', '5000');
    assert.ok(second.seq > first.seq);
    assert.equal(second.acked, true);
    assert.deepEqual([...second.subscribers].sort(), [a1.id, a3.id].sort());

    for (const sub of [wild, prefix]) {
      assert.equal(await sub.exited, 0, sub.stderr);
      const got = events(sub);
      assert.deepEqual(
        got.map((e) => [e.topic, e.payload, e.publisher, e.name, e.seq]),
        [
          ['hello.world', { n: 1, text: 'hi' }, a2.id, 'node2', first.seq],
          ['hello.world', [2, null, true], a2.id, 'node2', second.seq],
        ],
      );
      assert.ok(got.every((e) => typeof e.timestamp === 'number' && !e.retained));
    }

    // The human line of a publish; bad JSON is refused before asking the node.
    const human = await maculaOnce([
      'publish',
      'hello.there',
      '"x"',
      '--data-dir',
      dirs[1],
      '--qos',
      'at-least-once',
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Published hello\.there #\d+ to \d subscriber node\(s\)$/m);
    const bad = await maculaOnce(['publish', 'hello.world', '{oops}', '--data-dir', dirs[1]]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^\[error\] The payload is not valid JSON .*\(INVALID_JSON\)$/m);
    const badTopic = await maculaOnce(['publish', 'hello..world', '1', '--data-dir', dirs[1], '--json']);
    assert.equal(badTopic.code, 1);
    assert.equal((JSON.parse(badTopic.stdout) as { code: string }).code, 'INVALID_TOPIC');

    // No CLI node provides a procedure: a call fails with NO_PROVIDER and exits 1.
    const [call, callJson] = await Promise.all([
      maculaOnce(['call', 'math.add', '{"a": 1, "b": 2}', '--data-dir', dirs[1], '--timeout', '3000']),
      maculaOnce(['call', 'math.add', '--data-dir', dirs[1], '--json']),
    ]);
    assert.equal(call.code, 1);
    assert.match(call.stderr, /^\[error\] No node provides math\.add \(NO_PROVIDER\)$/m);
    assert.equal(callJson.code, 1);
    assert.deepEqual(JSON.parse(callJson.stdout), {
      level: 'error',
      msg: 'No node provides math.add',
      code: 'NO_PROVIDER',
    });

    // The seed's Step 7: node2 provides echo_service (the built-in echo), node1 calls it.
    const reg = await maculaOnce(['register', 'echo_service', '--data-dir', dirs[1]]);
    assert.equal(reg.code, 0, reg.stderr);
    assert.match(reg.stdout, /^Registered RPC endpoint: echo_service \(echo\)$/m);
    await n2.waitFor((l) => l.msg === 'Registered RPC endpoint: echo_service', 'registered line');
    const echo = await maculaOnce([
      'call',
      'echo_service',
      '{"message": "Hello RPC!"}',
      '--data-dir',
      dirs[0],
      '--json',
    ]);
    assert.equal(echo.code, 0, echo.stderr);
    assert.deepEqual(JSON.parse(echo.stdout), {
      echo: { message: 'Hello RPC!' },
      node: 'node2',
      caller: a1.id,
    });
    await n2.waitFor(
      (l) => l.msg === `RPC call received: echo_service from ${a1.id.slice(0, 8)}`,
      'call line',
    );
    const unreg = await maculaOnce(['register', 'echo_service', '--remove', '--data-dir', dirs[1], '--json']);
    assert.deepEqual(JSON.parse(unreg.stdout), { name: 'echo_service', registered: false });

    const stats = await maculaOnce(['stats', '--data-dir', dirs[1], '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    const s = JSON.parse(stats.stdout) as StatsAnswer;
    assert.equal(s.nodeId, a2.id);
    assert.equal(s.name, 'node2');
    assert.ok(s.pubsub.published >= 3, JSON.stringify(s.pubsub));
    assert.ok(s.pubsub.outbox.acked >= 2, JSON.stringify(s.pubsub.outbox));
    assert.ok(s.rpc.calls >= 2 && s.rpc.callFailures >= 2, JSON.stringify(s.rpc));
    assert.ok(s.dht.gets >= 1, JSON.stringify(s.dht));
    assert.equal(typeof s.routed.sent, 'number');
    assert.equal(s.node.activeConnections, 2);
    // The subscriber node delivered both events (and its subscription is gone).
    const s1 = JSON.parse(
      (await maculaOnce(['stats', '--data-dir', dirs[0], '--json'])).stdout,
    ) as StatsAnswer;
    assert.ok(s1.pubsub.delivered >= 2, JSON.stringify(s1.pubsub));
    await until(
      async () => ((await askControl(dirs[0], 'stats')) as StatsAnswer).pubsub.subscriptions === 0,
      'node1 drops the subscription once the client left',
    );
    const table = await maculaOnce(['stats', '--data-dir', dirs[0]]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^Stats of node1 ${a1.id}, up \\d+ s$`, 'm'));
    for (const section of ['Node', 'Pub/sub', 'RPC', 'DHT', 'Routed messages']) {
      assert.match(table.stdout, new RegExp(`^${section.replace('/', '\\/')}$`, 'm'));
    }
    assert.match(table.stdout, /^ {2}received \/ delivered\s+\d+ \/ [2-9]\d*$/m);

    for (const n of [n1, n2, n3]) n.child.kill('SIGTERM');
    for (const n of [n1, n2, n3]) assert.equal(await n.exited, 0, n.stderr);
  });
});
