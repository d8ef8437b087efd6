export type { LinkConditions } from './link.js';
export { MemoryNetwork, type MemoryNetworkOptions } from './network.js';
export type { NetworkStats } from './wire.js';
