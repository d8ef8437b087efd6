export { bump } from './counters.js';
export {
  AbortError,
  InvalidArgumentError,
  InvalidNodeIdError,
  InvalidRealmError,
  InvalidTopicError,
  InvalidUriError,
  MaculaError,
  TimeoutError,
} from './errors.js';
export { commonPrefixLength, NODE_ID_BYTES, NodeId, xorDistance } from './node-id.js';
export { isRealm, parseRealm, type Realm } from './realm.js';
export { isTopic, parseTopic, qualifyTopic, type Topic } from './topic.js';
export { formatAddressUri, formatNodeUri, MACULA_SCHEME, type MaculaUri, parseMaculaUri } from './uri.js';
