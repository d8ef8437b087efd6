/**
 * Node configuration: the {@link NodeConfig} shape, validation ({@link parseConfig}) and
 * loading from defaults, a file, the environment and overrides ({@link resolveConfig}).
 * @module
 */
export { ENV_VARS, type EnvLayer, readEnv } from './env.js';
export { ConfigError, type ConfigIssue, formatIssue } from './errors.js';
export { readConfigFile } from './file.js';
export { formatHostPort, type HostPort, HostPortSyntaxError, parseHostPort } from './host-port.js';
export { normalizeFileConfig } from './normalize.js';
export { type ResolveConfigOptions, resolveConfig } from './resolve.js';
export { nodeConfigSchema, parseConfig } from './schema.js';
export {
  type CertFiles,
  type DeepPartial,
  DISCOVERY_METHODS,
  type DiscoveryMethod,
  type NodeConfig,
} from './types.js';
