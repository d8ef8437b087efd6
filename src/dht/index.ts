export {
  decodeFindValueReply,
  decodeFindValueRequest,
  decodeRecord,
  decodeStoreReply,
  decodeStoreRequest,
  encodeRecord,
  findValueRequest,
  storeRequest,
} from './codec.js';
export {
  createRecordSigner,
  type DhtKeyInput,
  dhtKey,
  isHex64,
  MAX_APP_KEY_LENGTH,
  type RecordSigner,
} from './crypto.js';
export { Dht } from './dht.js';
export { DhtError, type DhtErrorCode } from './errors.js';
export type { DhtOptions, PutOptions } from './options.js';
export {
  expiresAt,
  isTombstone,
  KEY_BYTES,
  type RecordFields,
  SIG_BYTES,
  sameRecord,
  signedBytes,
  signRecord,
  type VerifyLimits,
  verifyRecord,
} from './record.js';
export { RecordStore, type RecordStoreOptions } from './store.js';
export {
  DEFAULT_DHT_LIMITS,
  DEFAULT_DHT_TUNABLES,
  type DhtLimits,
  type DhtNet,
  type DhtRecord,
  type DhtStats,
  type DhtTunables,
  type FindValueReply,
  RECORD_OVERHEAD_BYTES,
  type StoreReply,
  type StoreStats,
  type WireRecord,
} from './types.js';
