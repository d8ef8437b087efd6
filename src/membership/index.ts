export { checkAliveKey, createSigner, type Ed25519KeyInput, nodeIdOfRawKey, rawPublicKey } from './auth.js';
export {
  MEMBERSHIP_MAGIC,
  MembershipWireError,
  type MembershipWireErrorCode,
  messageOverhead,
  updateSize,
} from './codec.js';
export {
  DEFAULT_TUNABLES,
  type LocalMember,
  type MembershipLogger,
  type SwimOptions,
  type SwimTunables,
} from './options.js';
export { Swim } from './swim.js';
export type {
  AliveUpdate,
  Member,
  MemberState,
  MembershipEvents,
  MembershipNet,
  MembershipStats,
  Sender,
  SwimMessage,
  SyncEntry,
  SyncState,
  Update,
} from './types.js';
export { type DatagramPort, WireNet, type WireNetOptions } from './wire-net.js';
