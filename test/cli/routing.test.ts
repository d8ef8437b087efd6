// `macula routes` and `macula lookup` against three real `macula start` processes over
// QUIC on loopback.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { LookupAnswer, RoutesAnswer } from '../../src/cli/answers.js';
import { allAlive, maculaOnce, nodeProcesses, ready, tempDir, until } from './helpers.js';

const REALM = 'org.example.mesh';
const nodes = nodeProcesses(REALM);
after(() => nodes.cleanup());
const { start } = nodes;

async function routesJson(dataDir: string): Promise<RoutesAnswer> {
  const r = await maculaOnce(['routes', '--data-dir', dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as RoutesAnswer;
}

describe('macula routes and lookup (real processes)', { timeout: 90_000 }, () => {
  it('shows the routing table and looks up a node and a key step by step', async () => {
    const dirs = [tempDir('rt1'), tempDir('rt2'), tempDir('rt3')] as const;
    const n1 = start('node1', dirs[0]);
    const a1 = await ready(n1);
    // Alone so far: nobody to ask. The lookup fails clearly and exits 1.
    const [lone, loneJson, empty] = await Promise.all([
      maculaOnce(['lookup', 'anything', '--data-dir', dirs[0]]),
      maculaOnce(['lookup', 'anything', '--data-dir', dirs[0], '--json']),
      maculaOnce(['routes', '--data-dir', dirs[0]]),
    ]);
    assert.equal(lone.code, 1);
    assert.match(lone.stdout, /^key "anything" → [0-9a-f]{64}$/m);
    assert.match(lone.stderr, /^\[error\] .*no known peer to ask.*routing table is empty/m);
    assert.equal(loneJson.code, 1);
    assert.equal((JSON.parse(loneJson.stdout) as LookupAnswer).error?.code, 'LOOKUP_FAILED');
    assert.match(empty.stdout, /^No peers in the routing table yet\.$/m);

    const n2 = start('node2', dirs[1], [a1.port]);
    const a2 = await ready(n2);
    const n3 = start('node3', dirs[2], [a1.port, a2.port]);
    const a3 = await ready(n3);
    for (const dir of dirs) await until(() => allAlive(dir, 3), `3 alive on ${dir}`, 20_000);
    const members = await maculaOnce(['members', '--data-dir', dirs[0]]);
    assert.match(members.stdout, /3 members: 3 alive/);

    // node1's table fills from traffic: both others dialed it to join.
    await until(async () => (await routesJson(dirs[0])).table.size === 2, 'node1 knows 2 routes', 20_000);
    const routes = await routesJson(dirs[0]);
    assert.equal(routes.selfId, a1.id);
    const peers = routes.buckets.flatMap((b) => b.peers.map((p) => p.id)).sort();
    assert.deepEqual(peers, [a2.id, a3.id].sort());
    assert.equal(routes.names[a2.id], 'node2');
    assert.ok(routes.k > 0);
    const human = await maculaOnce(['routes', '--data-dir', dirs[0]]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^Routing table of node1 ${a1.id}`));
    assert.match(human.stdout, /2 peers in \d buckets?, k=\d+/);
    assert.match(human.stdout, /BUCKET\s+SIZE\s+PEERS/);
    for (const b of routes.buckets) {
      assert.match(human.stdout, new RegExp(`^\\s*${b.index}\\s+${b.size}/${routes.k}\\s+node[23] \\(`, 'm'));
    }
    assert.match(human.stdout, /^Lookups: \d+ \(/m);
    assert.match(human.stdout, /^Routed messages: \d+ sent/m);

    // Looking up node3's id from node1 finds node3 itself first.
    const byId = await maculaOnce(['lookup', a3.id.toUpperCase(), '--data-dir', dirs[0]]);
    assert.equal(byId.code, 0, byId.stderr);
    assert.doesNotMatch(byId.stdout, /^key /);
    assert.match(byId.stdout, /hop 1 → query node[23] \(/);
    assert.match(byId.stdout, /← response node3 \(.* ms, \d+ contacts?/);
    assert.match(
      byId.stdout,
      new RegExp(`^\\s+1\\. node3 \\(${a3.id.slice(0, 8)}\\)\\s+256 bits \\(the target itself\\)`, 'm'),
    );
    assert.match(byId.stdout, /^found in 1 hop, \d+ messages, [\d.]+ ms/m);

    // A key is hashed; the JSON answer carries every step and the result.
    const byKey = await maculaOnce(['lookup', 'somekey', '--data-dir', dirs[1], '--json']);
    assert.equal(byKey.code, 0, byKey.stderr);
    const k = JSON.parse(byKey.stdout) as LookupAnswer & { key: string };
    assert.equal(k.key, 'somekey');
    assert.equal(k.target, createHash('sha256').update('somekey').digest('hex'));
    assert.equal(k.self, a2.id);
    assert.ok(k.result, JSON.stringify(k));
    assert.deepEqual(k.result.closest.map((c) => c.id).sort(), [a1.id, a3.id].sort());
    assert.ok(k.steps.some((s) => s.type === 'query') && k.steps.some((s) => s.type === 'response'));
    const human2 = await maculaOnce(['lookup', 'somekey', '--data-dir', dirs[1]]);
    assert.match(human2.stdout, new RegExp(`^key "somekey" → ${k.target}$`, 'm'));

    // No argument: commander refuses.
    const missing = await maculaOnce(['lookup', '--data-dir', dirs[0]]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing required argument 'target'/);

    for (const p of [n1, n2, n3]) p.child.kill('SIGTERM');
    for (const p of [n1, n2, n3]) assert.equal(await p.exited, 0, p.stderr);
  });
});
