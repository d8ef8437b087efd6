// The Hello World chat of the Macula tutorial: one user per process, a readline prompt.
//
//   npm run chat -- --name alice --port 5001
//   npm run chat -- --name bob --port 5002 --bootstrap 127.0.0.1:5001
//
// Plain lines go to the current room; /join, /who, /rooms, /dm, /quit, /help.
// Prints `ready <nodeId> <port>` once it is in the mesh and its room (tests wait for it).
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createNode, generateIdentity, type MaculaNode } from '../../src/index.js';
import { Chat } from './chat.js';
import { NAME_RE } from './presence.js';

const USAGE =
  'usage: npm run chat -- --name <user> [--port <udp port>] [--host 127.0.0.1] ' +
  '[--bootstrap host:port]... [--room lobby] [--realm org.example.chat] [--heartbeat-ms 2000]';

function fail(msg: string): never {
  process.stderr.write(`${msg}\n${USAGE}\n`);
  process.exit(2);
}

const { values: args } = parseArgs({
  options: {
    name: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    bootstrap: { type: 'string', multiple: true, default: [] },
    room: { type: 'string', default: 'lobby' },
    realm: { type: 'string', default: 'org.example.chat' },
    'heartbeat-ms': { type: 'string', default: '2000' },
    'presence-timeout-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) fail('The Macula chat example.');
if (!args.name || !NAME_RE.test(args.name)) fail('--name: 1-32 letters, digits, _ or -');
if (!NAME_RE.test(args.room)) fail('--room: 1-32 letters, digits, _ or -');
const port = Number(args.port);
const heartbeatMs = Number(args['heartbeat-ms']);
// Four missed heartbeats: one late or lost heartbeat does not make a user leave.
const timeoutMs = Number(args['presence-timeout-ms'] ?? 4 * heartbeatMs);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port: 0-65535');
if (!(heartbeatMs >= 50) || !(timeoutMs > heartbeatMs)) fail('--heartbeat-ms: ≥ 50, below the timeout');

const tty = process.stdin.isTTY === true;
/** Opened once the chat is ready (stdin is not read before: no line is lost). */
let rl: Interface | undefined;
let closing = false;
/** One output line; on a terminal it is written above the prompt and what is being typed. */
function out(line: string): void {
  if (!tty || !rl) {
    process.stdout.write(`${line}\n`);
    return;
  }
  process.stdout.write(`\r\x1b[K${line}\n`);
  if (!closing) rl.prompt(true);
}

let node: MaculaNode;
let chat: Chat;
try {
  node = createNode({
    identity: await generateIdentity(args.realm),
    name: args.name,
    listen: { host: args.host, port },
    bootstrap: args.bootstrap,
    // A user's laptop may be busy, and publishers skip nodes membership declares dead:
    // probe less eagerly and suspect for longer (4-32 s instead of 0.4-3.2 s) before that
    // verdict. A crashed user is still seen leaving within the presence timeout.
    membership: { probeIntervalMs: 1000, probeTimeoutMs: 500, suspicionMult: 4 },
  });
  await node.start();
  if (args.bootstrap.length > 0) await joined(node, 15_000);
  chat = new Chat(node, { user: args.name, room: args.room, heartbeatMs, timeoutMs, out });
  await chat.start();
} catch (err) {
  process.stderr.write(`chat: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
out(`ready ${node.nodeId} ${node.address.port}`);
if (tty) out(`you are ${args.name} in ${args.room}; /help for commands`);

/** Resolves once another member is known (so our announcements reach the mesh), or after `ms`. */
function joined(n: MaculaNode, ms: number): Promise<void> {
  if (n.members().length > 1) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      out('! no bootstrap node answered yet; going on alone');
      resolve();
    }, ms);
    const off = n.on('member:join', () => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

let quitting: Promise<void> | undefined;
function quit(): Promise<void> {
  quitting ??= (async () => {
    closing = true;
    setTimeout(() => process.exit(1), 5000).unref(); // a stuck stop must not keep us here
    await chat.stop().catch(() => {});
    await node.stop().catch(() => {});
    out('bye');
    rl?.close();
    process.exit(0);
  })();
  return quitting;
}

// Lines run one at a time, in order (so messages leave in the order they were typed).
const input = createInterface({ input: process.stdin, output: process.stdout, terminal: tty });
rl = input;
let queue = Promise.resolve();
input.on('line', (line) => {
  queue = queue
    .then(async () => {
      if (quitting) return;
      if (!(await chat.command(line))) await quit();
    })
    .catch((err: unknown) => out(`! ${err instanceof Error ? err.message : String(err)}`))
    .finally(() => tty && !closing && input.prompt(true));
});
input.on('close', () => void queue.then(quit));
process.on('SIGINT', () => void quit());
process.on('SIGTERM', () => void quit());
if (tty) input.prompt();
