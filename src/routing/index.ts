export { acceptContacts, isAddress, isContact } from './contacts.js';
export { RoutingError, type RoutingErrorCode } from './errors.js';
export { type RouteDecision, RouteGuard, type RouteGuardOptions, type RouteStats } from './guard.js';
export {
  checkId,
  compareDistance,
  ID_BITS,
  type IdKey,
  idKey,
  isNodeIdHex,
  prefixLength,
  randomIdInBucket,
} from './id.js';
export {
  DEFAULT_LOOKUP_TUNABLES,
  type LookupOptions,
  LookupService,
  type LookupServiceOptions,
  type LookupTunables,
} from './lookup.js';
export {
  createEnvelope,
  DEFAULT_HOP_LIMIT,
  type EnvelopeInit,
  type NextHopOptions,
  nextHop,
  type RouteEnvelope,
  rankNextHops,
} from './route.js';
export { type RttOptions, RttTracker } from './rtt.js';
export { RoutingTable } from './table.js';
export type { RoutingTableOptions } from './table-options.js';
export type {
  Contact,
  LookupEvent,
  LookupResult,
  LookupStats,
  ObserveResult,
  PingFn,
  RoutingNet,
  TableEntry,
  TableStats,
} from './types.js';
