import { ConfigError, type ConfigIssue } from './errors.js';
import { showValue } from './issues.js';

/** Environment variables → the option they set. */
export const ENV_VARS = {
  MACULA_REALM: 'realm',
  MACULA_NAME: 'name',
  MACULA_LISTEN_HOST: 'listen.host',
  MACULA_PORT: 'listen.port',
  MACULA_BOOTSTRAP: 'discovery.staticNodes',
  MACULA_TOPOLOGY_K: 'topology.k',
  MACULA_LOG_LEVEL: 'logLevel',
  MACULA_DATA_DIR: 'dataDir',
} as const;

type EnvName = keyof typeof ENV_VARS;
const INTEGER_VARS: ReadonlySet<EnvName> = new Set(['MACULA_PORT', 'MACULA_TOPOLOGY_K']);

/** The options the environment sets, and which variable set each (by option path). */
export interface EnvLayer {
  data: Record<string, unknown>;
  sources: Record<string, string>;
}

/**
 * Reads the `MACULA_*` variables. Empty values count as unset. Numbers must be plain decimal
 * integers (`4433`, not `4433abc`); ranges and the rest are checked by validation.
 * `MACULA_BOOTSTRAP` is a comma-separated `host:port` list.
 * @throws ConfigError naming each variable whose value is not a number where one is needed.
 */
export function readEnv(env: Readonly<Record<string, string | undefined>>): EnvLayer {
  const data: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  for (const [name, path] of Object.entries(ENV_VARS) as [EnvName, string][]) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (INTEGER_VARS.has(name)) {
      if (!/^-?\d+$/.test(raw)) {
        issues.push({ path: name, message: `must be an integer (got ${showValue(raw)})` });
        continue;
      }
      value = Number(raw);
    } else if (name === 'MACULA_BOOTSTRAP') {
      value = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    }
    setPath(data, path.split('.'), value);
    sources[path] = name;
  }
  if (issues.length > 0) throw new ConfigError(issues, { header: 'Invalid environment variables:' });
  return { data, sources };
}

function setPath(root: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = root;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}
