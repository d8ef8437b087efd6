// The README's Quick Start with real `macula start` processes over QUIC on loopback:
// three nodes form a mesh, one is killed and declared dead, then restarts and rejoins.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { MembersAnswer, TopologyAnswer } from '../../src/cli/answers.js';
import { askControl } from '../../src/cli/control.js';
import {
  allAlive,
  type CliProcess,
  freeUdpPort,
  type JsonLine,
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

const memberEvent = (event: string, id: string) => (l: JsonLine) => l.event === event && l.member === id;
const aliveCount = (n: number) => (l: JsonLine) => l.event === 'membership' && l.alive === n;

async function membersJson(dataDir: string): Promise<MembersAnswer> {
  const r = await maculaOnce(['members', '--data-dir', dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as MembersAnswer;
}

async function topologyJson(dataDir: string): Promise<Omit<TopologyAnswer, 'rendered'>> {
  const r = await maculaOnce(['topology', '--data-dir', dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Omit<TopologyAnswer, 'rendered'>;
}

async function stopAll(nodes: CliProcess[]): Promise<void> {
  for (const p of nodes) p.child.kill('SIGTERM');
  for (const p of nodes) assert.equal(await p.exited, 0, p.stderr);
}

describe('Quick Start: a 3-node mesh (real processes)', { timeout: 60_000 }, () => {
  it('forms, detects a killed node as dead, heals and takes the node back after a restart', async () => {
    const dirs = [tempDir('qs1'), tempDir('qs2'), tempDir('qs3')] as const;
    const n1 = start('node1', dirs[0]);
    const a1 = await ready(n1);
    let n2 = start('node2', dirs[1], [a1.port]);
    const a2 = await ready(n2);
    // Like the seed: node 3 knows both, any one answering is enough.
    const n3 = start('node3', dirs[2], [a1.port, a2.port]);
    const a3 = await ready(n3);
    const ids = { node1: a1.id, node2: a2.id, node3: a3.id };

    await Promise.all([n1, n2, n3].map((n) => n.waitFor(aliveCount(3), 'SWIM membership: 3 nodes alive')));
    // node 1 is connected to both others (they dialed it to join).
    for (const id of [ids.node2, ids.node3]) {
      await n1.waitFor((l) => l.event === 'peer:connected' && l.peer === id, `node1 connected to ${id}`);
    }
    const [[table, picture], lists] = await Promise.all([
      Promise.all([
        maculaOnce(['members', '--data-dir', dirs[0]]),
        maculaOnce(['topology', '--data-dir', dirs[0]]),
      ]),
      Promise.all(dirs.map(membersJson)),
    ]);
    for (const m of lists) {
      assert.deepEqual(m.members.map((x) => [x.name, x.id, x.state]).sort(), [
        ['node1', ids.node1, 'alive'],
        ['node2', ids.node2, 'alive'],
        ['node3', ids.node3, 'alive'],
      ]);
    }
    assert.match(table.stdout, /^NAME\s+NODE ID\s+ADDRESS\s+STATE\s+INC\s+SINCE/);
    assert.match(table.stdout, /3 members: 3 alive/);
    assert.match(picture.stdout, /Mesh Topology \(k=2/);
    assert.match(picture.stdout, /node2 \(.*ring/);
    assert.match(picture.stdout, /node3 \(.*ring/);

    // Kill node 2 without a goodbye: nodes 1 and 3 must find out by themselves.
    const survivors = [
      { n: n1, dir: dirs[0], other: ids.node3, mark: n1.mark() },
      { n: n3, dir: dirs[2], other: ids.node1, mark: n3.mark() },
    ];
    n2.child.kill('SIGKILL');
    const deaths = await Promise.all(
      survivors.map((s) => s.n.waitFor(memberEvent('member:dead', ids.node2), 'node2 dead', 15_000, s.mark)),
    );
    // A node may skip suspect when the dead verdict reaches it first by gossip; not both.
    const suspectedFirst = survivors.filter((s) => {
      const since = s.n.lines.slice(s.mark);
      const suspect = since.findIndex(memberEvent('member:suspect', ids.node2));
      return suspect >= 0 && suspect < since.findIndex(memberEvent('member:dead', ids.node2));
    });
    assert.ok(suspectedFirst.length >= 1, 'node1 or node3 reported node2 suspect before dead');
    const deadInc = Math.max(...deaths.map((d) => Number(d.incarnation)));
    await Promise.all(survivors.map((s) => s.n.waitFor(aliveCount(2), '2 nodes alive', 5000, s.mark)));

    // Nodes 1 and 3 are linked directly, and each one wants only the other now.
    const topologies = await Promise.all(survivors.map((s) => topologyJson(s.dir)));
    for (const [i, t] of topologies.entries()) {
      const { other } = survivors[i]!;
      assert.ok(
        t.connections.some((c) => c.id === other),
        `connected to ${other}: ${JSON.stringify(t)}`,
      );
      assert.deepEqual(t.desired, [other]);
      assert.equal(t.names[ids.node2], 'node2');
    }

    // Restart node 2 on its data dir (same key, same id), on a new port: it rejoins through node 1.
    n2 = start('node2', dirs[1], [a1.port]);
    assert.equal((await ready(n2)).id, ids.node2);
    await n2.waitFor(aliveCount(3), 'restarted node2 sees 3 alive');
    await Promise.all(
      survivors.map((s) => s.n.waitFor(memberEvent('member:join', ids.node2), 'node2 back', 15_000, s.mark)),
    );
    // It was declared dead at `deadInc`: the others must see it refute that with a higher one.
    const seenHigher = async (dir: string) => {
      const a = (await askControl(dir, 'members')) as MembersAnswer;
      return (a.members.find((x) => x.id === ids.node2)?.incarnation ?? -1) > deadInc;
    };
    for (const dir of dirs) await until(() => allAlive(dir, 3), `3 alive on ${dir}`);
    for (const s of survivors) await until(() => seenHigher(s.dir), `node2 above incarnation ${deadInc}`);
    for (const m of await Promise.all(dirs.map(membersJson))) {
      assert.deepEqual(
        m.members.map((x) => x.state),
        ['alive', 'alive', 'alive'],
      );
    }
    await stopAll([n1, n2, n3]);
  });

  it('a node started before its bootstrap node keeps retrying and joins once it is up', async () => {
    const port = await freeUdpPort();
    const early = start('early', tempDir('early'), [port]);
    await early.event('bootstrap');
    // One attempt has failed (nobody listens yet) and another is scheduled.
    await early.waitForStderr(/bootstrap failed; retrying/, 'a failed bootstrap attempt', 15_000);
    const late = start('late', tempDir('late'), [], port);
    const { id: lateId } = await ready(late);
    const joined = await early.waitFor(memberEvent('member:join', lateId), 'early joins late', 20_000);
    assert.equal(joined.name, 'late');
    await late.waitFor(aliveCount(2), 'late sees 2 alive');
    await stopAll([early, late]);
  });
});
