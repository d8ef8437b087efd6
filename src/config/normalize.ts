import type { ConfigIssue } from './errors.js';
import { formatHostPort } from './host-port.js';
import { isPlainObject } from './objects.js';

// The seed (Erlang) node config's snake_case keys and where they live in NodeConfig.
const RENAMES: ReadonlyArray<readonly [readonly string[], readonly string[]]> = [
  [['node_id'], ['name']],
  [['listen_address'], ['listen', 'host']],
  [['listen_port'], ['listen', 'port']],
  [['cert_mode'], ['cert']],
  [['log_level'], ['logLevel']],
  [['data_dir'], ['dataDir']],
  [
    ['discovery', 'static_nodes'],
    ['discovery', 'staticNodes'],
  ],
];

/**
 * Rewrites a config file's contents into NodeConfig's camelCase shape so files written for the
 * seed implementation load unchanged: `node_id` → `name`, `listen_address`/`listen_port` →
 * `listen.host`/`listen.port`, `cert_mode: auto_generate` → `cert: auto`, `log_level` →
 * `logLevel`, `data_dir` → `dataDir`, `discovery.static_nodes` → `discovery.staticNodes`,
 * `topology.type: k_regular` → `k-regular`, and static nodes written as `[host, port]` or
 * `{ host, port }` → `"host:port"`. Giving both spellings of one option is an issue.
 * Anything it does not recognise is left for validation to report.
 */
export function normalizeFileConfig(input: Record<string, unknown>): {
  data: Record<string, unknown>;
  issues: ConfigIssue[];
} {
  const data = structuredClone(input);
  const issues: ConfigIssue[] = [];
  for (const [from, to] of RENAMES) {
    const fromParent = parentOf(data, from, false);
    const fromKey = from[from.length - 1]!;
    if (fromParent === undefined || fromParent[fromKey] === undefined) continue;
    const toParent = parentOf(data, to, true);
    const toKey = to[to.length - 1]!;
    if (toParent === undefined) continue; // e.g. `listen: 5`; validation reports it
    if (toParent[toKey] !== undefined) {
      issues.push({ path: from.join('.'), message: `conflicts with ${to.join('.')}; give only one` });
      continue;
    }
    toParent[toKey] = fromParent[fromKey];
    delete fromParent[fromKey];
  }
  if (data.cert === 'auto_generate') data.cert = 'auto';
  const topology = data.topology;
  if (isPlainObject(topology) && topology.type === 'k_regular') topology.type = 'k-regular';
  const discovery = data.discovery;
  if (isPlainObject(discovery) && Array.isArray(discovery.staticNodes)) {
    discovery.staticNodes = discovery.staticNodes.map(hostPortEntry);
  }
  return { data, issues };
}

// `['127.0.0.1', 4433]` (the seed's tuple) or `{ host, port }` → `'127.0.0.1:4433'`.
function hostPortEntry(entry: unknown): unknown {
  if (Array.isArray(entry) && entry.length === 2) {
    const [host, port] = entry as unknown[];
    if (typeof host === 'string' && typeof port === 'number') return formatHostPort(host, port);
  }
  if (isPlainObject(entry) && Object.keys(entry).length === 2) {
    const { host, port } = entry;
    if (typeof host === 'string' && typeof port === 'number') return formatHostPort(host, port);
  }
  return entry;
}

// The object holding the last key of `path`, optionally creating missing intermediate objects.
function parentOf(
  root: Record<string, unknown>,
  path: readonly string[],
  create: boolean,
): Record<string, unknown> | undefined {
  let node = root;
  for (const key of path.slice(0, -1)) {
    let next = node[key];
    if (next === undefined && create) {
      next = {};
      node[key] = next;
    }
    if (!isPlainObject(next)) return undefined;
    node = next;
  }
  return node;
}
