import { readEnv } from './env.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { readConfigFile } from './file.js';
import { toConfigIssues } from './issues.js';
import { normalizeFileConfig } from './normalize.js';
import { deepMerge, definedPaths, pathAncestors } from './objects.js';
import { nodeConfigSchema } from './schema.js';
import type { DeepPartial, NodeConfig } from './types.js';

/** Inputs of {@link resolveConfig}, lowest precedence first after the built-in defaults. */
export interface ResolveConfigOptions {
  /** Config file (`.json`, `.yaml`, `.yml`). Default: `MACULA_CONFIG` from `env`, else none. */
  file?: string;
  /** Environment to read `MACULA_*` variables from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Highest precedence, e.g. CLI flags; `undefined` values are ignored. */
  overrides?: DeepPartial<NodeConfig>;
}

interface Layer {
  data: Record<string, unknown>;
  /** Names where a value came from, for error messages. */
  source: (path: string) => string;
}

/**
 * Builds a node's configuration from, lowest to highest precedence: defaults, the config
 * file, `MACULA_*` environment variables, then `overrides`. Objects merge key by key; lists
 * (e.g. static nodes) are replaced whole. The merged result is validated once.
 * @throws ConfigError listing every problem as a `path: message (from <source>)` line.
 */
export async function resolveConfig(options: ResolveConfigOptions = {}): Promise<NodeConfig> {
  const env = options.env ?? process.env;
  const layers: Layer[] = [];
  const file = options.file ?? (env.MACULA_CONFIG?.trim() || undefined);
  if (file !== undefined) {
    const { data, issues } = normalizeFileConfig(await readConfigFile(file));
    if (issues.length > 0) throw new ConfigError(issues, { header: `Invalid config file ${file}:`, file });
    layers.push({ data, source: () => file });
  }
  const fromEnv = readEnv(env);
  layers.push({ data: fromEnv.data, source: (path) => envSource(fromEnv.sources, path) });
  if (options.overrides !== undefined) {
    layers.push({ data: options.overrides as Record<string, unknown>, source: () => 'overrides' });
  }

  const merged = layers.reduce<Record<string, unknown>>((acc, layer) => deepMerge(acc, layer.data), {});
  const result = nodeConfigSchema.safeParse(merged, { reportInput: true });
  if (result.success) return result.data;
  const issues = toConfigIssues(result.error.issues).map((issue) => withSource(issue, layers));
  throw new ConfigError(issues, file !== undefined ? { file } : {});
}

// The highest layer that set the issue's path (or one of its parents) is where the bad value came from.
function withSource(issue: ConfigIssue, layers: readonly Layer[]): ConfigIssue {
  const ancestors = pathAncestors(issue.path);
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const defined = definedPaths(layer.data);
    if (ancestors.some((p) => defined.has(p))) return { ...issue, source: layer.source(issue.path) };
  }
  return issue;
}

function envSource(sources: Record<string, string>, path: string): string {
  for (const p of pathAncestors(path)) {
    const name = sources[p];
    if (name !== undefined) return name;
  }
  return 'environment';
}
