// `npm run demo`: a local mesh of three `macula start` processes over QUIC on loopback,
// as in the Quick Start: node 1 starts alone, node 2 bootstraps from node 1, node 3 from
// both. Their output is shown prefixed; once every node sees 3 members alive, node 1's
// `macula members` and `macula topology` are printed and all three are stopped with SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = new URL('../bin/macula.mjs', import.meta.url).pathname;
const REALM = 'org.example.mesh';
const root = mkdtempSync(join(tmpdir(), 'macula-demo-'));

interface Running {
  name: string;
  child: ChildProcess;
  port: Promise<number>;
  /** Alive members as the node last reported (`SWIM membership: N nodes alive`). */
  alive: number;
  /** Printed `Mesh topology: …`: every peer it wants is connected. */
  meshed: boolean;
}

function start(name: string, bootstrap: number[]): Running {
  // --log-level warn: the [info] lines already tell the story; warnings still show.
  const args = [
    'start',
    '--log-level',
    'warn',
    '--realm',
    REALM,
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--name',
    name,
    '--data-dir',
    join(root, name),
  ];
  for (const p of bootstrap) args.push('--bootstrap', `127.0.0.1:${p}`);
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let resolvePort!: (p: number) => void;
  const port = new Promise<number>((r) => {
    resolvePort = r;
  });
  const node: Running = { name, child, port, alive: 1, meshed: false };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    console.log(`${name.padEnd(6)}| ${line}`);
    const listening = /Listening on [^:]+:(\d+)/.exec(line);
    if (listening) resolvePort(Number(listening[1]));
    const alive = /SWIM membership: (\d+) nodes? alive/.exec(line);
    if (alive) node.alive = Number(alive[1]);
    if (line.includes('Mesh topology:')) node.meshed = true;
  });
  return node;
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const nodes: Running[] = [];
try {
  const n1 = start('node1', []);
  nodes.push(n1);
  const p1 = await n1.port;
  const n2 = start('node2', [p1]);
  nodes.push(n2);
  const p2 = await n2.port;
  nodes.push(start('node3', [p1, p2]));
  await until(() => nodes.every((n) => n.alive === 3), 'every node to see 3 members alive');
  // Only so their last lines print before the commands' output: not an error if late.
  await until(() => nodes.every((n) => n.meshed), 'every node to report its links', 3000).catch(() => {});
  // Asked through node 1's control socket, as you would from another terminal.
  for (const command of ['members', 'topology']) {
    console.log(`\n$ macula ${command} --data-dir ${join(root, 'node1')}`);
    const run = spawn(process.execPath, [BIN, command, '--data-dir', join(root, 'node1')], {
      stdio: 'inherit',
    });
    await once(run, 'exit');
  }
  console.log(`\nmesh up: ${nodes.length} nodes; stopping them with SIGTERM`);
} finally {
  for (const n of nodes) n.child.kill('SIGTERM');
  const codes = await Promise.all(
    nodes.map((n) => n.child.exitCode ?? once(n.child, 'exit').then(([c]) => c)),
  );
  console.log(`all nodes stopped (exit codes ${codes.join(', ')})`);
  rmSync(root, { recursive: true, force: true });
}
