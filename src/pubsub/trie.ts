import { GLOBSTAR, STAR, splitTopic } from './segments.js';
import type { Pattern } from './types.js';

/** Values of patterns ending at a node, with how many times each was added. */
type Bag<V> = Map<V, number>;

interface TrieNode<V> {
  /** Literal segment → child. */
  children: Map<string, TrieNode<V>> | undefined;
  /** The `*` child. */
  star: TrieNode<V> | undefined;
  /** Patterns that end here and match only topics ending here. */
  exact: Bag<V> | undefined;
  /** `**` and prefix patterns ending here: they match here and everything below. */
  rest: Bag<V> | undefined;
}

type Terminal = 'exact' | 'rest';

const NONE: readonly never[] = Object.freeze([]);

const newNode = <V>(): TrieNode<V> => ({
  children: undefined,
  star: undefined,
  exact: undefined,
  rest: undefined,
});

/** The trie path of a pattern: the segments to walk (`*` = star child), then the terminal bag. */
function pathOf(p: Pattern): { walk: readonly string[]; terminal: Terminal } {
  if (p.match === 'prefix') return { walk: p.segments, terminal: 'rest' };
  if (p.segments.at(-1) === GLOBSTAR) return { walk: p.segments.slice(0, -1), terminal: 'rest' };
  return { walk: p.segments, terminal: 'exact' };
}

/**
 * Subscriptions by pattern, matched against topics without regexes: a segment trie with
 * literal children, a `*` child, and at each node the values of patterns ending there
 * (exactly, or as `**` / prefix patterns covering everything below).
 *
 * Entries are counted: adding `v` twice under the same pattern needs two removes, and
 * `sensor.**` and prefix `sensor` (the same topics) are kept apart by that count.
 * Removing prunes emptied nodes, so the trie never outgrows its live patterns.
 */
export class TopicTrie<V> {
  private root: TrieNode<V> = newNode();
  private entries = 0;
  private nodes = 1;
  /** Scratch set for deduplication; `match` runs no user code, so reusing it is safe. */
  private readonly seen = new Set<V>();
  /**
   * Results by topic, since the last change (topics repeat: a stream on one topic walks
   * the trie once). Emptied on every add/remove and when it reaches `maxCached`.
   */
  private readonly cache = new Map<string, readonly V[]>();

  constructor(private readonly maxCached = 1024) {}

  /** Number of (pattern, value) entries. */
  get size(): number {
    return this.entries;
  }

  /** Number of trie nodes, root included (diagnostics: it returns to 1 once emptied). */
  get nodeCount(): number {
    return this.nodes;
  }

  /** Adds `value` under `p`. */
  add(p: Pattern, value: V): void {
    const { walk, terminal } = pathOf(p);
    let node = this.root;
    for (const seg of walk) {
      let next = seg === STAR ? node.star : node.children?.get(seg);
      if (next === undefined) {
        next = newNode();
        this.nodes++;
        if (seg === STAR) node.star = next;
        else {
          node.children ??= new Map();
          node.children.set(seg, next);
        }
      }
      node = next;
    }
    node[terminal] ??= new Map();
    const bag = node[terminal];
    bag.set(value, (bag.get(value) ?? 0) + 1);
    this.entries++;
    this.cache.clear();
  }

  /** Removes one entry of `value` under `p`; false when there was none. */
  remove(p: Pattern, value: V): boolean {
    const { walk, terminal } = pathOf(p);
    const path: TrieNode<V>[] = [this.root];
    let node = this.root;
    for (const seg of walk) {
      const next = seg === STAR ? node.star : node.children?.get(seg);
      if (next === undefined) return false;
      path.push(next);
      node = next;
    }
    const bag = node[terminal];
    const count = bag?.get(value);
    if (bag === undefined || count === undefined) return false;
    if (count > 1) bag.set(value, count - 1);
    else {
      bag.delete(value);
      if (bag.size === 0) node[terminal] = undefined;
    }
    this.entries--;
    this.cache.clear();
    this.prune(path, walk);
    return true;
  }

  /**
   * Values whose patterns match `topic`, each once (by identity); [] for an invalid topic.
   * The array is shared with later calls until the trie changes: do not modify it.
   */
  match(topic: string): readonly V[] {
    if (this.entries === 0) return NONE;
    const hit = this.cache.get(topic);
    if (hit !== undefined) return hit;
    const out: V[] = [];
    const segments = splitTopic(topic);
    if (segments !== null) {
      this.collect(this.root, segments, 0, out);
      this.seen.clear();
    }
    if (this.cache.size >= this.maxCached) this.cache.clear();
    this.cache.set(topic, out);
    return out;
  }

  /** Removes everything. */
  clear(): void {
    this.cache.clear();
    this.root = newNode();
    this.entries = 0;
    this.nodes = 1;
  }

  private collect(node: TrieNode<V>, segments: string[], i: number, out: V[]): void {
    if (node.rest !== undefined) this.take(node.rest, out);
    if (i === segments.length) {
      if (node.exact !== undefined) this.take(node.exact, out);
      return;
    }
    const child = node.children?.get(segments[i]!);
    if (child !== undefined) this.collect(child, segments, i + 1, out);
    if (node.star !== undefined) this.collect(node.star, segments, i + 1, out);
  }

  private take(bag: Bag<V>, out: V[]): void {
    for (const v of bag.keys()) {
      if (this.seen.has(v)) continue;
      this.seen.add(v);
      out.push(v);
    }
  }

  /** Drops the emptied nodes at the end of `path`, bottom-up. */
  private prune(path: TrieNode<V>[], walk: readonly string[]): void {
    for (let i = path.length - 1; i > 0; i--) {
      const n = path[i]!;
      if (n.children !== undefined || n.star !== undefined || n.exact !== undefined || n.rest !== undefined) {
        return;
      }
      const parent = path[i - 1]!;
      const seg = walk[i - 1]!;
      if (seg === STAR) parent.star = undefined;
      else {
        parent.children!.delete(seg);
        if (parent.children!.size === 0) parent.children = undefined;
      }
      this.nodes--;
    }
  }
}
