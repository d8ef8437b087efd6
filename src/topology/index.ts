export { DEFAULT_BACKOFF as DEFAULT_REDIAL_BACKOFF } from './backoff.js';
export { ConnectionManager } from './connection-manager.js';
export {
  chooseLinks,
  defaultLongRangeCount,
  fingerExponents,
  fingerTarget,
  longRangeLinks,
  MAX_DEFAULT_LONG_RANGE,
  nearestMember,
} from './long-range.js';
export { type ConnectionManagerOptions, DEFAULT_IN_USE_MS } from './options.js';
export { renderTopology } from './render.js';
export { isRingId, Ring, ringNeighbours } from './ring.js';
export type {
  LinkInfo,
  LinkRole,
  PeerLinks,
  TopologyLogger,
  TopologyMember,
  TopologySnapshot,
} from './types.js';
