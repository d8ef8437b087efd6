// Real processes: `macula start` nodes over QUIC on loopback.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type CliProcess, macula, maculaOnce, tempDir } from './helpers.js';

const running: CliProcess[] = [];
after(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

function start(args: string[]): CliProcess {
  const p = macula(['start', '--host', '127.0.0.1', '--port', '0', ...args]);
  running.push(p);
  return p;
}

async function portOf(p: CliProcess): Promise<number> {
  const ready = await p.event('ready');
  return (ready.address as { port: number }).port;
}

describe('macula start (real processes)', { timeout: 60_000 }, () => {
  it('two nodes connect, status shows the peer, SIGTERM stops both cleanly', async () => {
    const dir1 = tempDir('n1');
    const n1 = start(['--realm', 'org.example.mesh', '--data-dir', dir1]);
    const port1 = await portOf(n1);
    const n2 = start([
      '--realm',
      'org.example.mesh',
      '--data-dir',
      tempDir('n2'),
      '--bootstrap',
      `127.0.0.1:${port1}`,
    ]);
    const [id1, id2] = await Promise.all([n1.event('started'), n2.event('started')]).then((l) =>
      l.map((x) => x.nodeId),
    );
    const c2 = await n2.event('peer:connected');
    const c1 = await n1.event('peer:connected');
    assert.equal(c2.peer, id1);
    assert.equal(c1.peer, id2);
    assert.equal(c1.direction, 'inbound');

    const status = await maculaOnce(['status', '--data-dir', dir1, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout) as {
      nodeId: string;
      realm: string;
      connections: { nodeId: string }[];
    };
    assert.equal(s.nodeId, id1);
    assert.equal(s.realm, 'org.example.mesh');
    assert.deepEqual(
      s.connections.map((c) => c.nodeId),
      [id2],
    );

    n2.child.kill('SIGTERM');
    n1.child.kill('SIGTERM');
    assert.equal(await n2.exited, 0);
    assert.equal(await n1.exited, 0);
    assert.ok(n1.lines.some((l) => l.event === 'stopped'));
  });

  it('a node from another realm is refused, with the reason on both sides', async () => {
    const n1 = start(['--realm', 'org.example.mesh', '--data-dir', tempDir('r1')]);
    const port1 = await portOf(n1);
    const n3 = start([
      '--realm',
      'org.other.mesh',
      '--data-dir',
      tempDir('r3'),
      '--bootstrap',
      `127.0.0.1:${port1}`,
    ]);
    const failed = await n3.waitFor((l) => /not reachable/.test(l.msg), 'bootstrap refusal');
    assert.match(failed.msg, /realm|certificate/i);
    const refused = await n1.event('peer:refused');
    assert.match(String(refused.msg), /org\.other\.mesh/);
    n1.child.kill('SIGTERM');
    n3.child.kill('SIGTERM');
    assert.equal(await n1.exited, 0);
    assert.equal(await n3.exited, 0);
  });

  it('status without a running node fails with a clear message', async () => {
    const r = await maculaOnce(['status', '--data-dir', tempDir('none')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no node is running/);
  });
});
