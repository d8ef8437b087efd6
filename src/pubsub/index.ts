export { DedupWindow } from './dedup.js';
export { PatternError, PubSubError, type PubSubErrorCode } from './errors.js';
export { matches, parsePattern } from './pattern.js';
export { SubscriptionQueue } from './queue.js';
export { announceKey, EXACT_KEY_PREFIX, lookupKeys, PREFIX_KEY_PREFIX } from './registry-keys.js';
export { SEQ_COUNTER_BITS, Sequencer } from './sequence.js';
export { TopicTrie } from './trie.js';
export type {
  DedupOptions,
  DedupStats,
  MatchMode,
  OutboxStats,
  OverflowPolicy,
  Pattern,
  PatternOptions,
  PublishOptions,
  PublishReceipt,
  PubSubEvent,
  PubSubStats,
  Qos,
  SequencerOptions,
  SubscribeOptions,
  SubscriptionHandler,
  SubscriptionQueueOptions,
  SubscriptionQueueStats,
} from './types.js';
