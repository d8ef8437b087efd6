import { InvalidArgumentError } from '../core/index.js';
import { PubSubError } from './errors.js';
import type { SequencerOptions } from './types.js';

/** Low bits of a sequence number that count messages; the high bits hold the start time. */
export const SEQ_COUNTER_BITS = 10;
const SCALE = 2 ** SEQ_COUNTER_BITS;
/** Start times (ms) beyond this would leave no room below 2^53 (year 2248). */
const MAX_START_MS = 2 ** (53 - SEQ_COUNTER_BITS) - 1;

/**
 * Issues one publisher's sequence numbers: `seq = startMs × 2^10 + n` for the n-th
 * message, where `startMs` is the wall clock (ms since the Unix epoch) when the
 * sequencer was created. Strictly increasing, always a safe integer.
 *
 * Why time-based: subscribers drop seqs they have seen (see `DedupWindow`), so a restarted
 * publisher must not start below where it stopped. Starting from the wall clock puts a
 * restart above the previous run as long as that run averaged under 2^10 messages per
 * millisecond (about a million per second) since it started, and the wall clock did not
 * go backwards across the restart (if it did, the new run's messages are dropped as
 * duplicates until it passes the old run's last seq).
 */
export class Sequencer {
  /** The first sequence number (`startMs × 2^10`). */
  readonly base: number;
  private count = 0;

  constructor(opts: SequencerOptions = {}) {
    const now = (opts.wallClock ?? Date.now)();
    if (!Number.isFinite(now) || now < 0 || now > MAX_START_MS) {
      throw new InvalidArgumentError(`The wall clock must give ms in 0..${MAX_START_MS}, got ${now}`);
    }
    this.base = Math.floor(now) * SCALE;
  }

  /** Sequence numbers issued so far. */
  get issued(): number {
    return this.count;
  }

  /** The next sequence number. */
  next(): number {
    const seq = this.base + this.count;
    if (seq > Number.MAX_SAFE_INTEGER) {
      throw new PubSubError('SEQUENCE_EXHAUSTED', 'This publisher has used every safe sequence number');
    }
    this.count++;
    return seq;
  }
}
