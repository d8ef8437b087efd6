// Real processes: `macula start` nodes over QUIC on loopback.
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type CliProcess, macula, maculaOnce, removeTempDirs, tempDir } from './helpers.js';

const running: CliProcess[] = [];
after(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  removeTempDirs();
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
    // The node keeps retrying its bootstrap node; each attempt is refused with the reason.
    const failed = await n3.event('peer:refused');
    assert.match(failed.msg, /realm|certificate/i);
    const refused = await n1.event('peer:refused');
    assert.match(String(refused.msg), /org\.other\.mesh/);
    n1.child.kill('SIGTERM');
    n3.child.kill('SIGTERM');
    assert.equal(await n1.exited, 0);
    assert.equal(await n3.exited, 0);
  });

  it('status, members and topology without a running node fail with a clear message', async () => {
    const dir = tempDir('none');
    const commands = ['status', 'members', 'topology'];
    const results = await Promise.all(commands.map((c) => maculaOnce([c, '--data-dir', dir])));
    for (const r of results) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Cannot reach a node through .*control\.sock: no node is running there/);
    }
  });
});

describe('macula cert + CA mode (real processes)', { timeout: 60_000 }, () => {
  it('nodes with certificates from the realm CA connect; one from another CA is refused on both sides', async () => {
    const realm = 'org.example.mesh';
    const [caDir, otherCaDir] = [tempDir('ca'), tempDir('ca2')];
    for (const dir of [caDir, otherCaDir]) {
      const r = await maculaOnce(['cert', 'ca', '--realm', realm, '--out', dir, '--json']);
      assert.equal(r.code, 0, r.stderr);
    }
    const issue = async (ca: string) => {
      const out = tempDir('crt');
      const r = await maculaOnce(['cert', 'issue', '--realm', realm, '--ca', ca, '--out', out, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const issued = JSON.parse(r.stdout) as { nodeId: string };
      assert.match(issued.nodeId, /^[0-9a-f]{64}$/);
      // The config file names the CA and the node's files (cert: { ca, cert, key }).
      const config = join(out, 'node.json');
      writeFileSync(
        config,
        JSON.stringify({
          realm,
          cert: { ca: join(ca, 'ca.crt'), cert: join(out, 'node.crt'), key: join(out, 'node.key') },
        }),
      );
      assert.equal(statSync(join(out, 'node.key')).mode & 0o777, 0o600);
      return { config, nodeId: issued.nodeId, dataDir: out };
    };
    const [n1cfg, n2cfg, intruderCfg] = [await issue(caDir), await issue(caDir), await issue(otherCaDir)];
    const n1 = start(['--config', n1cfg.config, '--data-dir', n1cfg.dataDir]);
    const port1 = await portOf(n1);
    assert.equal((await n1.event('started')).nodeId, n1cfg.nodeId);
    const n2 = start([
      '--config',
      n2cfg.config,
      '--data-dir',
      n2cfg.dataDir,
      '--bootstrap',
      `127.0.0.1:${port1}`,
    ]);
    assert.equal((await n2.event('peer:connected')).peer, n1cfg.nodeId);

    const intruder = start([
      '--config',
      intruderCfg.config,
      '--data-dir',
      intruderCfg.dataDir,
      '--bootstrap',
      `127.0.0.1:${port1}`,
    ]);
    await intruder.event('peer:refused');
    await n1.event('peer:refused');
    assert.equal(n1.lines.filter((l) => l.event === 'peer:connected').length, 1, 'only n2 got in');
    for (const p of [n1, n2, intruder]) p.child.kill('SIGTERM');
    for (const p of [n1, n2, intruder]) assert.equal(await p.exited, 0);
  });
});
