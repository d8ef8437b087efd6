import { type Clock, dropOldest } from '../runtime/index.js';

/** Bounds of {@link Watchers}. */
export interface WatchersOptions {
  /** How long a read makes its reader hear of changes to the key (ms). Default 5 000. */
  windowMs?: number;
  /** Readers remembered per key (the oldest forgotten first). Default 64. */
  maxPerKey?: number;
  /** Keys remembered (least recently read forgotten first). Default 4 096. */
  maxKeys?: number;
}

/**
 * Who recently read which key on this node, so a store that changes the key can tell
 * them at once instead of leaving them on a stale cached answer (pub/sub subscriber lists,
 * RPC provider lists). Bounded in keys and in readers per key.
 */
export class Watchers {
  private readonly keys = new Map<string, Map<string, number>>();
  private readonly windowMs: number;
  private readonly maxPerKey: number;
  private readonly maxKeys: number;

  constructor(
    private readonly clock: Clock,
    o: WatchersOptions = {},
  ) {
    this.windowMs = o.windowMs ?? 5_000;
    this.maxPerKey = o.maxPerKey ?? 64;
    this.maxKeys = o.maxKeys ?? 4_096;
  }

  /** `reader` just read `key`. */
  read(key: string, reader: string): void {
    let readers = this.keys.get(key);
    if (readers)
      this.keys.delete(key); // re-inserted: most recent last
    else readers = new Map();
    this.keys.set(key, readers);
    readers.delete(reader);
    readers.set(reader, this.clock.now());
    dropOldest(readers, this.maxPerKey);
    dropOldest(this.keys, this.maxKeys);
  }

  /** The readers of `key` within the window (stale ones are forgotten). */
  readersOf(key: string): string[] {
    const readers = this.keys.get(key);
    if (!readers) return [];
    const since = this.clock.now() - this.windowMs;
    const out: string[] = [];
    for (const [id, at] of readers) {
      if (at < since) readers.delete(id);
      else out.push(id);
    }
    if (readers.size === 0) this.keys.delete(key);
    return out;
  }
}
