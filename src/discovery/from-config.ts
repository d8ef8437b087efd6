import type { NodeConfig } from '../config/index.js';
import { type StaticDiscoveryOptions, staticDiscovery } from './static.js';
import { type DiscoveryProvider, silentDiscoveryLogger } from './types.js';

/**
 * The providers a node's `discovery` config asks for. An empty `staticNodes` list gives no
 * static provider, so a first node's {@link Bootstrapper} stays idle instead of retrying
 * forever. Methods not implemented yet are logged and skipped.
 * @throws DiscoveryError `INVALID_ENTRY` for a malformed static entry.
 */
export function providersFromConfig(
  discovery: Pick<NodeConfig['discovery'], 'methods' | 'staticNodes'>,
  opts: StaticDiscoveryOptions = {},
): DiscoveryProvider[] {
  const log = opts.logger ?? silentDiscoveryLogger;
  const providers: DiscoveryProvider[] = [];
  for (const method of new Set(discovery.methods)) {
    if (method !== 'static') {
      log.warn({ method }, 'discovery method not implemented yet; ignoring it');
    } else if (discovery.staticNodes.length > 0) {
      providers.push(staticDiscovery(discovery.staticNodes, opts));
    }
  }
  return providers;
}
