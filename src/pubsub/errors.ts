import { InvalidArgumentError, MaculaError } from '../core/index.js';

/** Why a pub/sub building block failed at run time. Stable, machine-readable. */
export type PubSubErrorCode =
  /** A subscription queue with the `'error'` overflow policy was full: its consumer is too slow. */
  | 'QUEUE_OVERFLOW'
  /** A subscription queue that delivers to a handler was iterated. */
  | 'NOT_ITERABLE'
  /** A sequencer ran out of safe integers (not reachable before the year 2248). */
  | 'SEQUENCE_EXHAUSTED'
  /** An at-least-once publish with `ack: true`: some subscribers did not acknowledge in time (`missing`). */
  | 'NOT_ACKED'
  /** Too many at-least-once messages are still being retried: the publisher must slow down. */
  | 'OUTBOX_FULL'
  /** A node announces too many patterns under one registry key (the DHT record would exceed its size limit). */
  | 'TOO_MANY_PATTERNS'
  /** The subscribers of a topic could not be read: no DHT node asked answered (`cause`). */
  | 'REGISTRY_UNREACHABLE'
  /** A payload larger than the node's `maxPayloadBytes` once encoded. */
  | 'PAYLOAD_TOO_LARGE'
  /** A pub/sub message from another node was not well formed. */
  | 'MALFORMED';

/** A typed pub/sub failure (patterns have their own {@link PatternError}). */
export class PubSubError extends MaculaError {
  declare readonly code: PubSubErrorCode;
  /** For NOT_ACKED: the subscriber node ids that did not acknowledge. */
  readonly missing: string[] | undefined;
  constructor(code: PubSubErrorCode, message: string, options?: { cause?: unknown; missing?: string[] }) {
    super(code, message, options);
    this.missing = options?.missing;
  }
}

/**
 * A subscription pattern misuses wildcards (`a*b`, `**` not last, a wildcard under
 * `match: 'exact'`…). Code `INVALID_PATTERN`. Bad literal text (empty segment, bad
 * character, too long) is an `InvalidTopicError` (code `INVALID_TOPIC`) instead.
 */
export class PatternError extends InvalidArgumentError {
  declare readonly code: 'INVALID_PATTERN';
  constructor(message: string) {
    super(message, { code: 'INVALID_PATTERN' });
  }
}

/** Quotes user input for an error message, cut to a readable length. */
export function quote(value: unknown, max = 80): string {
  if (typeof value !== 'string') return `a ${value === null ? 'null' : typeof value}`;
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
