#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  type InspectFlags,
  lookupCommand,
  membersCommand,
  routesCommand,
  statusCommand,
  topologyCommand,
} from './inspect.js';
import type { LoadtestFlags } from './loadtest.js';
import {
  callCommand,
  publishCommand,
  registerCommand,
  statsCommand,
  subscribeCommand,
} from './messaging-commands.js';
import { positiveInt } from './messaging-format.js';
import { makeOutput } from './output.js';
import type { StartFlags } from './start.js';

// `start`, `loadtest` and `cert` load the node, QUIC and x509 (about 1.5 s): only when run, so the
// commands that ask the running node (`status`, `members`, `topology`, `routes`, `lookup`,
// `publish`, `subscribe`, `call`, `stats`) answer fast. package.json sits two levels up
// from both src/cli and dist/cli.
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const collect = (v: string, prev: string[] = []) => [...prev, v];
const count = (v: string) => {
  try {
    return positiveInt(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

/** The `macula` command line. */
export function buildProgram(): Command {
  const program = new Command('macula')
    .description('Macula: an encrypted, self-healing peer-to-peer mesh over QUIC')
    .version(VERSION)
    .showHelpAfterError();

  program
    .command('start')
    .description('Start a node and keep it running until SIGINT/SIGTERM')
    .option('-r, --realm <realm>', 'realm (reverse-DNS, e.g. org.example.mesh)')
    .option('-p, --port <port>', 'UDP port to listen on (default 4433)')
    .option('--host <host>', 'address to bind (default 0.0.0.0)')
    .option('-b, --bootstrap <host:port>', 'bootstrap node; repeat for several', collect)
    .option('-c, --config <file>', 'JSON or YAML config file')
    .option('-n, --name <name>', 'human-readable node name')
    .option('-d, --data-dir <dir>', 'where the identity and control socket live (default .macula)')
    .option('-l, --log-level <level>', 'trace|debug|info|warn|error|fatal|silent')
    .option('--json', 'one JSON object per line')
    .action(async (flags: StartFlags) => (await import('./start.js')).startCommand(flags));

  const inspect = (name: string, description: string, run: (f: InspectFlags) => Promise<void>) =>
    program
      .command(name)
      .description(description)
      .option('-d, --data-dir <dir>', 'the node’s data directory', '.macula')
      .option('--json', 'JSON output')
      .action((flags: InspectFlags) => run(flags));
  // These ask the node already running on that data directory; they never start one.
  inspect('status', 'Show the status of the node running on this machine', statusCommand);
  inspect('members', 'List the members the running node knows, with their SWIM state', membersCommand);
  inspect('topology', 'Draw the running node’s mesh links (k-regular topology)', topologyCommand);
  inspect('routes', 'Show the running node’s Kademlia routing table and routing counters', routesCommand);
  program
    .command('lookup')
    .description('Find the nodes closest to a node id (64 hex) or to sha256(key), step by step')
    .argument('<target>', 'a node id (64 hex characters) or any other string, hashed with sha256')
    .option('-d, --data-dir <dir>', 'the node’s data directory', '.macula')
    .option('--json', 'JSON output')
    .action((target: string, flags: InspectFlags) => lookupCommand(target, flags));

  // Messaging through the running node. JSON values are checked here and passed to the node
  // as control arguments: at most 1024 characters of compact JSON.
  const dataDir = (c: Command) =>
    c.option('-d, --data-dir <dir>', 'the node’s data directory', '.macula').option('--json', 'JSON output');
  dataDir(
    program
      .command('publish')
      .description('Publish a JSON payload on a topic through the running node')
      .argument('<topic>', 'topic, e.g. sensor.temp')
      .argument(
        '<json>',
        'payload as JSON, e.g. \'{"c": 21.5}\' or \'"text"\' (at most 1024 characters compacted)',
      )
      .addOption(new Option('--qos <qos>', 'delivery guarantee').choices(['at-most-once', 'at-least-once']))
      .option('--ack', 'wait until every subscriber node acknowledged (implies at-least-once)')
      .option('--retain', 'keep it as the topic’s retained value for later subscribers')
      .option(
        '--timeout <ms>',
        'deadline of the acknowledgements and subscriber lookup (default 10000)',
        count,
      ),
  ).action(publishCommand);
  dataDir(
    program
      .command('subscribe')
      .description('Subscribe through the running node and print each event as it arrives, until ctrl-c')
      .argument(
        '<pattern>',
        'a topic or pattern: sensor.temp, sensor.*.c (one segment), sensor.** (any depth)',
      )
      .option('--prefix', 'match the topic and every topic below it')
      .option('--count <n>', 'exit after n events', count),
  ).action(subscribeCommand);
  dataDir(
    program
      .command('call')
      .description('Call a procedure through the running node and print its result')
      .argument('<name>', 'procedure, e.g. math.add')
      .argument('[json]', 'arguments as JSON (default null; at most 1024 characters compacted)')
      .option('--timeout <ms>', 'deadline of the call (default 10000)', count),
  ).action(callCommand);
  dataDir(
    program
      .command('register')
      .description('Provide a procedure on the running node: the built-in echo (returns its arguments)')
      .argument('<name>', 'procedure, e.g. echo_service')
      .option('--remove', 'stop providing it'),
  ).action(registerCommand);
  inspect(
    'stats',
    'Show the running node’s counters: connections, pub/sub, RPC, DHT, routed messages',
    statsCommand,
  );
  program.addHelpText(
    'after',
    `
Messaging through a running node (same --data-dir):
  macula subscribe 'sensor.*'                      print events as they arrive (ctrl-c to stop)
  macula publish sensor.temp '{"c": 21.5}' --ack   publish, wait for the subscribers' acks
  macula register echo_service                     provide the built-in echo procedure
  macula call echo_service '{"text": "hi"}'        call a procedure, print its result
  macula stats                                     connections, pub/sub, RPC, DHT counters`,
  );

  // Loads the node and QUIC like `start`: only when run.
  const number = (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`not a number: ${v}`);
    return n;
  };
  program
    .command('loadtest')
    .description(
      'Load-test a mesh of N nodes: pub/sub, RPC, formation, failures; writes JSON and HTML reports',
    )
    .addOption(
      new Option('--transport <t>', 'memory: nodes in this process; quic: one process per node')
        .choices(['memory', 'quic'])
        .default('memory'),
    )
    .addOption(
      new Option('--scenario <s>', 'what to run')
        .choices(['pubsub', 'rpc', 'formation', 'failure', 'all'])
        .default('all'),
    )
    .option('-n, --nodes <n>', 'nodes in the mesh (default 5)', number)
    .option('--duration <time>', 'load per scenario: 10s, 500ms, 2m (default 10s)')
    .option(
      '--rate <n>',
      'messages or calls per second, all senders together; 0 = as fast as possible (default 1000)',
      number,
    )
    .option('--payload <bytes>', 'payload size, at least 16 (default 100)', number)
    .addOption(
      new Option('--qos <qos>', 'pub/sub delivery guarantee').choices(['at-most-once', 'at-least-once']),
    )
    .option('--concurrency <n>', 'publishes or calls in flight at most, per sender (default 64)', number)
    .option(
      '--senders <n>',
      'nodes that publish or call; the others subscribe or provide (default 1)',
      number,
    )
    .addOption(
      new Option('--fault <f>', 'failure scenario: what to inject').choices(['kill', 'partition', 'loss']),
    )
    .option('--loss <p>', 'packet loss rate of --fault loss, 0..1 (default 0.05)', number)
    .option('--seed <n>', 'seed of the run’s random choices (default: random, printed)', number)
    .option('--drain <time>', 'how long to wait for messages in flight after the load (default 2s)')
    .option('-o, --out <dir>', 'where report.json and report.html go', 'loadtest-report')
    .option('--json', 'print the JSON report on stdout instead of the summary table')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (flags: LoadtestFlags) => (await import('./loadtest.js')).loadtestCommand(flags));

  const cert = program.command('cert').description('Realm CA and node certificates');
  cert
    .command('ca')
    .description('Create a realm CA (ca.crt, ca.key)')
    .requiredOption('-r, --realm <realm>', 'realm the CA is for')
    .option('-o, --out <dir>', 'output directory', '.')
    .option('--json', 'JSON output')
    .action(async (f: { realm: string; out: string; json?: boolean }) =>
      (await import('./cert.js')).certCaCommand(f),
    );
  cert
    .command('issue')
    .description('Issue a node certificate signed by a realm CA (node.crt, node.key)')
    .requiredOption('-r, --realm <realm>', 'realm of the node')
    .requiredOption('--ca <dir>', 'directory holding ca.crt and ca.key')
    .option('-o, --out <dir>', 'output directory', '.')
    .option('--json', 'JSON output')
    .action(async (f: { realm: string; ca: string; out: string; json?: boolean }) =>
      (await import('./cert.js')).certIssueCommand(f),
    );
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    const json = argv.includes('--json');
    makeOutput(json).error((e as Error).message, { code: (e as { code?: string }).code });
    process.exitCode = 1;
  }
}
