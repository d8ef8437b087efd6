/**
 * Discovery: where a node finds candidate addresses to join the mesh through
 * ({@link DiscoveryProvider}, {@link staticDiscovery}) and the {@link Bootstrapper} loop
 * that joins through them, retrying with backoff until a bootstrap node answers.
 * @module
 */
export { DEFAULT_BACKOFF as DEFAULT_BOOTSTRAP_BACKOFF } from './backoff.js';
export { Bootstrapper } from './bootstrap.js';
export { DiscoveryError, type DiscoveryErrorCode } from './errors.js';
export { providersFromConfig } from './from-config.js';
export {
  parseStaticEntry,
  type Resolver,
  type StaticDiscovery,
  type StaticDiscoveryOptions,
  staticDiscovery,
  systemResolve,
} from './static.js';
export type {
  BootstrapAttempt,
  BootstrapperOptions,
  BootstrapState,
  DiscoveryLogger,
  DiscoveryProblem,
  DiscoveryProvider,
} from './types.js';
