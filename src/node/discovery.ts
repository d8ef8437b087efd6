import { type DiscoveryProvider, staticDiscovery } from '../discovery/index.js';
import type { Address } from '../transport/index.js';
import type { NodeLogger } from './types.js';

/** The `bootstrap` option as a static discovery provider (none when the list is empty). */
export function providersFromStatic(
  entries: ReadonlyArray<string | Address>,
  logger: NodeLogger,
): DiscoveryProvider[] {
  return entries.length === 0 ? [] : [staticDiscovery([...entries], { logger })];
}
