import { MaculaError } from '../core/index.js';
import { dhtKey } from '../dht/index.js';
import { decodeValue, encodeValue } from '../protocol/index.js';
import {
  announceKey,
  lookupKeys,
  matches,
  type Pattern,
  PubSubError,
  parsePattern,
} from '../pubsub/index.js';
import {
  backoffDelay,
  type Clock,
  dropOldest,
  type Random,
  raceAbort,
  type TimerHandle,
} from '../runtime/index.js';
import type { NodeDht } from './dht.js';
import type { NodeLogger } from './types.js';

/** A DHT record's value is at most 4 KiB: the patterns one node announces under one key. */
const MAX_VALUE_BYTES = 4000;
const ANNOUNCE_TTL_MS = 3_600_000;
/** Patterns read from one peer's record (hostile records cannot make us parse more). */
const MAX_PATTERNS_READ = 256;

type Wire = [source: string, match: string][];

interface KeyState {
  patterns: Map<string, { p: Pattern; n: number }>;
  timer?: TimerHandle;
  attempt: number;
  /** The announcement in flight (announcements of one key are serialized). */
  running?: Promise<void>;
  dirty: boolean;
  /** Callers waiting for the record to be stored with their change. */
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * Announces this node's subscriptions in the DHT (one record per registry key listing
 * its patterns there) and finds the nodes subscribed to a topic (their records under the
 * topic's lookup keys, cached for `cacheTtlMs`).
 */
export class PubSubRegistry {
  private readonly keys = new Map<string, KeyState>();
  private readonly cache = new Map<
    string,
    { at: number; entries: { owner: string; patterns: Pattern[] }[] }
  >();
  /**
   * Per topic, the last answer of `subscribers` (the publish fast path), the keys it was
   * read under, and when the first of them expires (then that key alone is read again).
   */
  private readonly topics = new Map<
    string,
    { expires: number; used: number; ids: Set<string>; keys: string[] }
  >();
  private stopped = false;
  /** Hashed DHT key → the registry key read under it, for change notes. */
  private readonly hashes = new Map<string, string>();
  private readonly unlisten: () => void;
  /** Keys noted as changed since their last read started (that read's answer is not cached). */
  private readonly changedKeys = new Set<string>();
  /** Topics whose read in flight started before a change note: read once more after it. */
  private readonly rereads = new Set<string>();
  /** Topics (and keys) whose answers are kept; twice as many hashes and change notes. */
  private readonly maxCached: number;
  /** Subscriber reads in flight, by topic (shared by concurrent publishes). */
  private readonly reading = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(
    private readonly dht: NodeDht,
    private readonly o: {
      clock: Clock;
      random: Random;
      logger: NodeLogger;
      cacheTtlMs: number;
      maxCached?: number;
    },
  ) {
    this.maxCached = o.maxCached ?? 4096;
    // A storer tells us when a key we read changed, so a new subscriber is seen at once: a
    // topic in use is read again now (publishes keep its list for the few ms that takes);
    // one not in use is dropped (its next publish waits for a read).
    this.unlisten = dht.onChanged((hashed) => {
      const key = this.hashes.get(hashed);
      if (key === undefined) return;
      this.cache.delete(key);
      this.changedKeys.add(key);
      dropOldest(this.changedKeys, 2 * this.maxCached);
      const now = this.o.clock.now();
      for (const [topic, hit] of [...this.topics]) {
        if (!hit.keys.includes(key)) continue;
        if (now - hit.used >= this.o.cacheTtlMs) this.topics.delete(topic);
        // A read already out may have missed the change: another follows it.
        else if (this.reading.has(topic)) this.rereads.add(topic);
        else this.refresh(topic).catch(() => {});
      }
    });
  }

  /**
   * Adds a local pattern; resolves once the key's record including it is stored (failed
   * announcements are retried with backoff; rejects with NOT_RUNNING if the node stops first).
   */
  add(p: Pattern): Promise<void> {
    const key = announceKey(p);
    let st = this.keys.get(key);
    if (!st) {
      st = { patterns: new Map(), attempt: 0, dirty: false, waiters: [] };
      this.keys.set(key, st);
    }
    const id = `${p.match}:${p.source}`;
    const e = st.patterns.get(id);
    if (e) {
      e.n++;
      return st.waiters.length > 0 ? this.announce(key, st) : Promise.resolve();
    }
    st.patterns.set(id, { p, n: 1 });
    const wire: Wire = [...st.patterns.values()].map((x) => [x.p.source, x.p.match]);
    if (encodeValue(wire).length > MAX_VALUE_BYTES) {
      st.patterns.delete(id);
      return Promise.reject(
        new PubSubError('TOO_MANY_PATTERNS', `Too many patterns under ${key} on this node`),
      );
    }
    return this.announce(key, st);
  }

  /** Removes one local use of a pattern; the record is updated or withdrawn. */
  remove(p: Pattern): Promise<void> {
    const key = announceKey(p);
    const st = this.keys.get(key);
    const id = `${p.match}:${p.source}`;
    const e = st?.patterns.get(id);
    if (!st || !e) return Promise.resolve();
    if (--e.n > 0) return Promise.resolve();
    st.patterns.delete(id);
    return this.announce(key, st);
  }

  /** Nobody subscribed is cached for a quarter of the time: a first subscriber is the common news. */
  private ttl(found: number): number {
    return found === 0 ? this.o.cacheTtlMs / 4 : this.o.cacheTtlMs;
  }

  /**
   * The subscriber nodes of `topic` for a publish. A cached list is returned at once, even
   * expired (one background read refreshes it: a publish never waits on the DHT for a
   * topic it already knows); without one, the caller waits for the read, which concurrent
   * publishes share.
   */
  subscribers(topic: string, signal?: AbortSignal): ReadonlySet<string> | Promise<ReadonlySet<string>> {
    const hit = this.topics.get(topic);
    if (hit) {
      const now = this.o.clock.now();
      hit.used = now;
      if (now >= hit.expires) this.refresh(topic).catch(() => {});
      return hit.ids;
    }
    const read = this.refresh(topic);
    return signal ? raceAbort(read, signal) : read;
  }

  /** One read of `topic`'s subscribers at a time (no caller's signal: it is shared). */
  private refresh(topic: string): Promise<ReadonlySet<string>> {
    let p = this.reading.get(topic);
    if (!p) {
      p = this.lookup(topic).finally(() => {
        this.reading.delete(topic);
        if (this.rereads.delete(topic) && !this.stopped) this.refresh(topic).catch(() => {});
      });
      this.reading.set(topic, p);
      p.catch((err: unknown) => this.o.logger.debug({ err, topic }, 'pubsub: reading subscribers failed'));
    }
    return p;
  }

  private async lookup(topic: string): Promise<ReadonlySet<string>> {
    const out = new Set<string>();
    const keys = lookupKeys(topic);
    // Keys are kept for the topic's TTL (a quarter when it had nobody). A topic's keys are
    // first read together, then each is kept for a different share of the TTL: later
    // refreshes read one key at a time, spread over the TTL, instead of all at once (a
    // burst of DHT lookups that held publishes up and delayed deliveries).
    const prev = this.topics.get(topic);
    const maxAge = this.ttl(prev ? prev.ids.size : 1);
    const uncached = keys.filter((k) => !this.cache.has(k));
    const lists = await Promise.allSettled(keys.map((k) => this.read(k, maxAge)));
    let failure: unknown;
    let known = 0;
    for (const [i, r] of lists.entries()) {
      // A key that could not be read now: its last known entries (stale beats nothing).
      const entries = r.status === 'fulfilled' ? r.value : this.cache.get(keys[i]!)?.entries;
      if (r.status === 'rejected') failure ??= r.reason;
      if (entries === undefined) continue;
      known++;
      for (const { owner, patterns } of entries) if (patterns.some((p) => matches(p, topic))) out.add(owner);
    }
    // Nothing known about any key: unknown, not "nobody".
    if (known === 0 && failure !== undefined) throw failure;
    this.topics.delete(topic);
    const now = this.o.clock.now();
    const ttl = this.ttl(out.size);
    for (const [i, k] of uncached.entries()) {
      const c = this.cache.get(k);
      if (c) c.at -= (i / uncached.length) * ttl;
    }
    let expires = Number.POSITIVE_INFINITY;
    // A key not cached (never readable, or changed during the read) is read again after a TTL.
    for (const k of keys) expires = Math.min(expires, (this.cache.get(k)?.at ?? now) + ttl);
    this.topics.set(topic, { expires, used: now, ids: out, keys });
    dropOldest(this.topics, this.maxCached);
    return out;
  }

  /** A node left: forget what it announced. */
  dropNode(id: string): void {
    for (const c of this.cache.values()) c.entries = c.entries.filter((e) => e.owner !== id);
    for (const t of this.topics.values()) t.ids.delete(id);
  }

  stop(): void {
    this.stopped = true;
    this.unlisten();
    for (const st of this.keys.values()) {
      if (st.timer) this.o.clock.clearTimeout(st.timer);
      for (const w of st.waiters.splice(0)) w.reject(notRunning());
    }
  }

  /** `key`'s records, from the cache when read less than `maxAge` ms ago. */
  private async read(key: string, maxAge: number) {
    const hit = this.cache.get(key);
    if (hit && this.o.clock.now() - hit.at < maxAge) return hit.entries;
    const hashed = dhtKey(key);
    this.hashes.delete(hashed);
    this.hashes.set(hashed, key);
    dropOldest(this.hashes, 2 * this.maxCached);
    this.changedKeys.delete(key);
    let records: Awaited<ReturnType<NodeDht['get']>>;
    try {
      records = await this.dht.get(key);
    } catch (cause) {
      // Unknown is not "nobody": a cached list stays in use, a publish without one fails.
      // Its entries count as read now, so the key is tried again after a TTL, not at every
      // publish (the topic's earliest expiry would otherwise stay in the past).
      const stale = this.cache.get(key);
      if (stale) stale.at = this.o.clock.now();
      throw new PubSubError('REGISTRY_UNREACHABLE', `Could not read the subscribers under ${key}`, { cause });
    }
    const entries = records.map((r) => ({ owner: r.owner, patterns: decodePatterns(r.value) }));
    // Changed while we read: this answer may predate the change, so the next read asks again.
    if (this.changedKeys.has(key)) return entries;
    this.cache.delete(key);
    this.cache.set(key, { at: this.o.clock.now(), entries });
    dropOldest(this.cache, this.maxCached);
    return entries;
  }

  /** Serializes announcements per key (the last state always wins); resolves once stored. */
  private announce(key: string, st: KeyState): Promise<void> {
    if (this.stopped) return Promise.reject(notRunning());
    const stored = new Promise<void>((resolve, reject) => st.waiters.push({ resolve, reject }));
    this.kick(key, st);
    return stored;
  }

  private kick(key: string, st: KeyState): void {
    st.dirty = true;
    st.running ??= (async () => {
      let ok = false;
      while (st.dirty && !this.stopped) {
        st.dirty = false;
        ok = await this.publishOnce(key, st);
      }
      st.running = undefined;
      if (ok && !this.stopped) for (const w of st.waiters.splice(0)) w.resolve();
    })();
  }

  private async publishOnce(key: string, st: KeyState): Promise<boolean> {
    try {
      if (st.patterns.size === 0) {
        this.keys.delete(key);
        await this.dht.remove(key);
      } else {
        const wire: Wire = [...st.patterns.values()].map((x) => [x.p.source, x.p.match]);
        await this.dht.put(key, encodeValue(wire), { ttlMs: ANNOUNCE_TTL_MS });
      }
      st.attempt = 0;
      return true;
    } catch (err) {
      if (this.stopped) return false;
      const delay = backoffDelay(
        st.attempt++,
        { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.2 },
        this.o.random,
      );
      this.o.logger.debug({ err, key, retryInMs: delay }, 'pubsub: announcement failed; retrying');
      if (st.timer) this.o.clock.clearTimeout(st.timer);
      st.timer = this.o.clock.setTimeout(() => {
        st.timer = undefined;
        if (!this.stopped) this.kick(key, st);
      }, delay);
      return false;
    }
  }
}

function notRunning(): MaculaError {
  return new MaculaError('NOT_RUNNING', 'Node stopped before the subscription was announced');
}

/** Patterns from a peer's record; malformed entries are skipped. */
function decodePatterns(value: Uint8Array): Pattern[] {
  let raw: unknown;
  try {
    raw = decodeValue(value);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const out: Pattern[] = [];
  for (const e of raw.slice(0, MAX_PATTERNS_READ)) {
    if (!Array.isArray(e) || typeof e[0] !== 'string') continue;
    try {
      out.push(
        parsePattern(e[0], {
          match: e[1] === 'prefix' || e[1] === 'exact' || e[1] === 'wildcard' ? e[1] : undefined,
        }),
      );
    } catch {
      // someone else's bad pattern: ignore it
    }
  }
  return out;
}
