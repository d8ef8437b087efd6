import { InvalidArgumentError } from '../core/index.js';
import type { DedupOptions, DedupStats } from './types.js';

/** Per publisher: the highest seq seen and a ring bitmap of the `window` seqs up to it. */
interface Track {
  high: number;
  bits: Uint32Array;
}

/**
 * Suppresses duplicate messages by (publisher node id, sequence number), in bounded memory.
 *
 * Per publisher it keeps the highest seq seen and one bit for each of the `window`
 * (default 1024) seqs at or below it, so late and reordered messages inside the window
 * get through exactly once. A seq below the window is too old to tell and is treated as
 * a duplicate; a seq above the highest slides the window up (a restarted publisher's
 * new sequence epoch slides it in one step). The first seq seen from a publisher opens
 * its window there, so messages sent just before it that arrive later still get through.
 *
 * At most `maxPublishers` (default 4096) publishers are tracked; the least recently seen
 * is evicted first. A publisher evicted and then seen again starts afresh: copies of its
 * messages still in flight may get through once more (one duplicate per message at most).
 */
export class DedupWindow {
  private readonly tracks = new Map<string, Track>();
  private readonly window: number;
  private readonly maxPublishers: number;
  private readonly counts = { accepted: 0, duplicates: 0, tooOld: 0, invalid: 0, evicted: 0 };
  /** The most recently seen publisher: a stream from one publisher skips the map (hot path). */
  private last: { publisher: string; track: Track } | undefined;

  constructor(opts: DedupOptions = {}) {
    this.window = checkInt('window', opts.window ?? 1024, 1, 65_536);
    this.maxPublishers = checkInt('maxPublishers', opts.maxPublishers ?? 4096, 1, 2 ** 24);
  }

  /**
   * True when the message is a duplicate (drop it); otherwise records it and returns
   * false. A seq that is not a non-negative safe integer is dropped (true) and counted
   * as `invalid`: this runs on network input and never throws.
   */
  seen(publisher: string, seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      this.counts.invalid++;
      return true;
    }
    const last = this.last;
    if (last !== undefined && last.publisher === publisher) return this.check(last.track, seq);
    const track = this.tracks.get(publisher);
    if (track === undefined) {
      this.last = { publisher, track: this.admit(publisher, seq) };
      this.counts.accepted++;
      return false;
    }
    // Map order is the LRU order: move the publisher to the most recent end (the last
    // publisher seen is already there).
    this.tracks.delete(publisher);
    this.tracks.set(publisher, track);
    this.last = { publisher, track };
    return this.check(track, seq);
  }

  /** Counters since creation, and the publishers tracked now. */
  stats(): DedupStats {
    return { publishers: this.tracks.size, ...this.counts };
  }

  private admit(publisher: string, seq: number): Track {
    if (this.tracks.size >= this.maxPublishers) {
      const oldest = this.tracks.keys().next().value as string;
      this.tracks.delete(oldest);
      this.counts.evicted++;
    }
    const track: Track = { high: seq, bits: new Uint32Array(Math.ceil(this.window / 32)) };
    this.mark(track, seq);
    this.tracks.set(publisher, track);
    return track;
  }

  private check(track: Track, seq: number): boolean {
    if (seq > track.high) {
      this.slide(track, seq);
      this.mark(track, seq);
      this.counts.accepted++;
      return false;
    }
    if (seq <= track.high - this.window) {
      this.counts.tooOld++;
      return true;
    }
    const i = seq % this.window;
    if ((track.bits[i >>> 5]! & (1 << (i & 31))) !== 0) {
      this.counts.duplicates++;
      return true;
    }
    this.mark(track, seq);
    this.counts.accepted++;
    return false;
  }

  /** Moves the window's top to `seq`, clearing the bits of the seqs it newly covers. */
  private slide(track: Track, seq: number): void {
    if (seq - track.high >= this.window) track.bits.fill(0);
    else {
      for (let s = track.high + 1; s <= seq; s++) {
        const i = s % this.window;
        track.bits[i >>> 5]! &= ~(1 << (i & 31));
      }
    }
    track.high = seq;
  }

  private mark(track: Track, seq: number): void {
    const i = seq % this.window;
    track.bits[i >>> 5]! |= 1 << (i & 31);
  }
}

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}, got ${v}`);
  }
  return v;
}
