#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from '../node/index.js';
import { certCaCommand, certIssueCommand } from './cert.js';
import { askControl } from './control.js';
import { makeOutput } from './output.js';
import { type StartFlags, startCommand } from './start.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

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
    .action((flags: StartFlags) => startCommand(flags));

  program
    .command('status')
    .description('Show the status of the node running on this machine (through its control socket)')
    .option('-d, --data-dir <dir>', 'the node’s data directory', '.macula')
    .option('--json', 'JSON output')
    .action(async (flags: { dataDir: string; json?: boolean }) => {
      const s = (await askControl(flags.dataDir, 'status')) as {
        nodeId: string;
        realm: string;
        address: { host: string; port: number };
        stats: { uptimeMs: number; activeConnections: number };
        connections: {
          nodeId: string;
          address: { host: string; port: number };
          rttMs: number;
          direction: string;
        }[];
      };
      makeOutput(flags.json ?? false).result(s, () =>
        [
          `Node ${s.nodeId}`,
          `Realm ${s.realm}, listening on ${s.address.host}:${s.address.port}, up ${(s.stats.uptimeMs / 1000).toFixed(0)} s`,
          `${s.stats.activeConnections} connection(s)`,
          ...s.connections.map(
            (c) =>
              `  ${c.nodeId.slice(0, 16)}... ${c.direction} ${c.address.host}:${c.address.port} rtt ${c.rttMs} ms`,
          ),
        ].join('\n'),
      );
    });

  const cert = program.command('cert').description('Realm CA and node certificates');
  cert
    .command('ca')
    .description('Create a realm CA (ca.crt, ca.key)')
    .requiredOption('-r, --realm <realm>', 'realm the CA is for')
    .option('-o, --out <dir>', 'output directory', '.')
    .option('--json', 'JSON output')
    .action((f: { realm: string; out: string; json?: boolean }) => certCaCommand(f));
  cert
    .command('issue')
    .description('Issue a node certificate signed by a realm CA (node.crt, node.key)')
    .requiredOption('-r, --realm <realm>', 'realm of the node')
    .requiredOption('--ca <dir>', 'directory holding ca.crt and ca.key')
    .option('-o, --out <dir>', 'output directory', '.')
    .option('--json', 'JSON output')
    .action((f: { realm: string; ca: string; out: string; json?: boolean }) => certIssueCommand(f));
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
