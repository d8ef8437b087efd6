import { type NodeConfig, parseHostPort, resolveConfig } from '../config/index.js';
import { MaculaError } from '../core/index.js';
import { createLogger } from '../logging/index.js';
import { createNode, type MaculaNode } from '../node/index.js';
import { loadCaIdentity, loadOrCreateIdentity } from '../security/index.js';
import { serveControl } from './control.js';
import { makeOutput, type Output, shortId } from './output.js';

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
  const node = createNode({
    identity,
    listen: config.listen,
    ...(config.name ? { name: config.name } : {}),
    logger: logger.child({ component: 'node' }),
  });
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
  node.on('peer:connected', (p) => {
    if (p.direction === 'inbound') out.info(`New connection from ${p.address.host}:${p.address.port}`);
    const who = p.name ? `${p.name} (${shortId(p.nodeId)})` : shortId(p.nodeId);
    out.info(`${p.direction === 'inbound' ? 'Handshake complete' : 'Connected to'}: ${who}`, {
      event: 'peer:connected',
      peer: p.nodeId,
      address: p.address,
      direction: p.direction,
    });
  });
  node.on('peer:refused', (r) =>
    out.info(
      r.by === 'us'
        ? `Refused connection ${r.address.host}:${r.address.port}: ${r.reason}`
        : `Connection ${r.address.host}:${r.address.port} refused by the peer: ${r.reason}`,
      { event: 'peer:refused', address: r.address, by: r.by },
    ),
  );
  node.on('peer:disconnected', (p) =>
    out.info(`Disconnected from ${shortId(p.nodeId)} (${p.reason})`, {
      event: 'peer:disconnected',
      peer: p.nodeId,
    }),
  );
  const closeControl = await serveControl(config.dataDir, (command) => control(node, config, command));
  const stopBootstrap = bootstrap(node, config, out);
  out.info('Ready to accept connections', { event: 'ready', nodeId, address: addr });
  await untilSignal(async () => {
    out.info('Stopping...', { event: 'stopping' });
    stopBootstrap();
    await closeControl();
    await node.stop();
    out.info('Stopped', { event: 'stopped' });
  });
}

function control(node: MaculaNode, config: NodeConfig, command: string): unknown {
  if (command === 'status') {
    return {
      nodeId: node.nodeId,
      name: config.name ?? null,
      realm: node.realm,
      version: node.version,
      address: node.address,
      stats: node.stats(),
      connections: node.connections(),
    };
  }
  throw new MaculaError('UNKNOWN_COMMAND', `unknown control command ${command}`);
}

/** Dials every bootstrap node until connected, backing off up to 10 s; any one is enough. */
function bootstrap(node: MaculaNode, config: NodeConfig, out: Output): () => void {
  const ctl = new AbortController();
  for (const target of config.discovery.staticNodes) {
    const address = parseHostPort(target);
    void (async () => {
      let delay = 500;
      while (!ctl.signal.aborted) {
        out.info(`Connecting to bootstrap node ${target}...`);
        try {
          await node.connect(address, { signal: ctl.signal, timeoutMs: 5000 });
          return;
        } catch (e) {
          if (ctl.signal.aborted) return;
          out.info(
            `Bootstrap node ${target} not reachable (${(e as Error).message}); retrying in ${delay} ms`,
          );
          await new Promise((r) => setTimeout(r, delay).unref());
          delay = Math.min(delay * 2, 10_000);
        }
      }
    })();
  }
  return () => ctl.abort();
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
