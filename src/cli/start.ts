import { type NodeConfig, resolveConfig } from '../config/index.js';
import { createLogger } from '../logging/index.js';
import { createNode } from '../node/index.js';
import { loadCaIdentity, loadOrCreateIdentity } from '../security/index.js';
import { answer } from './answers.js';
import { serveControl } from './control.js';
import { reportNodeEvents } from './events.js';
import { makeOutput, shortId } from './output.js';

export interface StartFlags {
  config?: string;
  realm?: string;
  name?: string;
  host?: string;
  port?: string;
  bootstrap?: string[];
  dataDir?: string;
  logLevel?: string;
  json?: boolean;
}

/** `macula start`: runs a node until SIGINT/SIGTERM. */
export async function startCommand(flags: StartFlags): Promise<void> {
  const out = makeOutput(flags.json ?? false);
  const config = await resolveConfig({
    file: flags.config,
    overrides: {
      ...(flags.realm ? { realm: flags.realm } : {}),
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.host || flags.port
        ? {
            listen: {
              ...(flags.host ? { host: flags.host } : {}),
              ...(flags.port ? { port: Number(flags.port) } : {}),
            },
          }
        : {}),
      ...(flags.bootstrap?.length ? { discovery: { staticNodes: flags.bootstrap } } : {}),
      ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      ...(flags.logLevel ? { logLevel: flags.logLevel as NodeConfig['logLevel'] } : {}),
    },
  });
  // Logs go to stderr: stdout carries the human lines (or --json events) that scripts read.
  const logger = createLogger({ level: config.logLevel, name: 'macula', destination: 2 });
  const identity =
    config.cert === 'auto'
      ? await loadOrCreateIdentity({ dir: config.dataDir, realm: config.realm })
      : await loadCaIdentity({
          caFile: config.cert.ca,
          certFile: config.cert.cert,
          keyFile: config.cert.key,
        });
  const nodeId = identity.nodeId.toString();
  const bootstrap = config.discovery.staticNodes;
  const node = createNode({
    identity,
    listen: config.listen,
    ...(config.name ? { name: config.name } : {}),
    // The node joins through any one of these and retries with backoff until one answers.
    bootstrap,
    topology: { k: config.topology.k },
    logger: logger.child({ component: 'node' }),
  });
  reportNodeEvents(node, out);
  await node.start();
  const addr = node.address;
  out.info(`Macula node started: ${config.name ?? shortId(nodeId)}`, {
    event: 'started',
    nodeId,
    realm: config.realm,
  });
  out.info(`Listening on ${addr.host}:${addr.port} (UDP)`, { event: 'listening', address: addr });
  out.info(`Node ID: ${nodeId}`);
  out.info(`Realm: ${config.realm}`);
  out.info(`Topology: k_regular (k=${config.topology.k})`);
  out.info(`Discovery: ${config.discovery.methods.join(', ')}`);
  if (bootstrap.length > 0) {
    out.info(`Connecting to bootstrap nodes (${bootstrap.join(', ')})...`, { event: 'bootstrap', bootstrap });
  }
  const closeControl = await serveControl(config.dataDir, (command, args, signal) =>
    answer(node, config, command, args, signal, (line) => out.info(line)),
  );
  out.info('Ready to accept connections', { event: 'ready', nodeId, address: addr });
  await untilSignal(async () => {
    out.info('Stopping...', { event: 'stopping' });
    await closeControl();
    await node.stop();
    out.info('Stopped', { event: 'stopped' });
  });
}

/** Resolves after `onStop` ran following SIGINT or SIGTERM; a second signal exits at once. */
function untilSignal(onStop: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const handler = () => {
      if (stopping) process.exit(1);
      stopping = true;
      onStop().then(resolve, reject);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
