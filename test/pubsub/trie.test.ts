import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { matches, type Pattern, parsePattern, TopicTrie } from '../../src/pubsub/index.js';
import { pattern, topic } from './arbitraries.js';

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
/**
 * One trie entry: patterns that match the same topics the same way share it (prefix `a.*`,
 * prefix `a` and `a.**` are one entry, counted), as the trie documents.
 */
const entryKey = (p: Pattern) => {
  if (p.match === 'prefix') return `rest:${p.segments.join('.')}`;
  if (p.segments.at(-1) === '**') return `rest:${p.segments.slice(0, -1).join('.')}`;
  return `exact:${p.segments.join('.')}`;
};
const same = (p: Pattern, q: Pattern) => entryKey(p) === entryKey(q);

/** The oracle: every value with a live entry whose pattern matches, once. */
function expected(entries: [Pattern, number][], t: string): number[] {
  return sorted([...new Set(entries.filter(([p]) => matches(p, t)).map(([, v]) => v))]);
}

describe('TopicTrie', () => {
  it('results cached per topic change as soon as the trie does, and the cache is bounded', () => {
    const trie = new TopicTrie<string>(4);
    assert.deepEqual(trie.match('a.b'), []);
    trie.add(parsePattern('a.*'), 'star');
    assert.deepEqual(trie.match('a.b'), ['star']);
    assert.equal(trie.match('a.b'), trie.match('a.b'), 'the same result while nothing changes');
    trie.add(parsePattern('a.b'), 'exact');
    assert.deepEqual([...trie.match('a.b')].sort(), ['exact', 'star']);
    trie.remove(parsePattern('a.*'), 'star');
    assert.deepEqual(trie.match('a.b'), ['exact']);
    for (const t of ['x.1', 'x.2', 'x.3', 'x.4', 'x.5', 'a.b']) trie.match(t);
    assert.ok((trie as unknown as { cache: Map<string, unknown> }).cache.size <= 4);
    assert.deepEqual(trie.match('a.b'), ['exact']);
    trie.clear();
    assert.deepEqual(trie.match('a.b'), []);
  });

  it('match equals filtering by matches(), also after random removals, and prunes to the root', () => {
    const entry = fc.tuple(pattern, fc.integer({ min: 0, max: 7 }));
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 30 }),
        fc.array(topic, { minLength: 1, maxLength: 15 }),
        (adds, removals, topics) => {
          const trie = new TopicTrie<number>();
          const live: [Pattern, number][] = [];
          for (const [p, v] of adds) {
            trie.add(p, v);
            live.push([p, v]);
          }
          const check = () => {
            assert.equal(trie.size, live.length);
            for (const t of topics) assert.deepEqual(sorted(trie.match(t)), expected(live, t), t);
          };
          check();
          for (const [i, existing] of removals) {
            if (existing && live.length > 0) {
              const [p, v] = live[i % live.length]!;
              assert.equal(trie.remove(parsePattern(p.source, { match: p.match }), v), true);
              live.splice(
                live.findIndex(([q, w]) => same(p, q) && v === w),
                1,
              );
            } else if (adds.length > 0) {
              // An entry that may be gone: remove() must say whether it removed one.
              const [p, v] = adds[i % adds.length]!;
              const at = live.findIndex(([q, w]) => same(p, q) && v === w);
              assert.equal(trie.remove(p, v), at >= 0);
              if (at >= 0) live.splice(at, 1);
            }
          }
          check();
          for (const [p, v] of [...live]) assert.equal(trie.remove(p, v), true);
          assert.equal(trie.size, 0);
          assert.equal(trie.nodeCount, 1, 'emptied nodes are pruned');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns each value once even when several of its patterns match', () => {
    const trie = new TopicTrie<string>();
    const sub = 'subscription';
    for (const p of ['a.b', 'a.*', 'a.**', '**']) trie.add(parsePattern(p), sub);
    trie.add(parsePattern('a', { match: 'prefix' }), sub);
    trie.add(parsePattern('a.b'), 'other');
    assert.deepEqual(trie.match('a.b'), [sub, 'other']);
    assert.deepEqual(trie.match('z'), [sub]);
    for (const bad of ['a..b', 'a.*', '', 'a.b c']) assert.deepEqual(trie.match(bad), [], 'invalid topic');
  });

  it('counts entries: `sensor.**` and prefix `sensor` are separate entries on the same node', () => {
    const trie = new TopicTrie<number>();
    const globstar = parsePattern('sensor.**');
    const prefix = parsePattern('sensor.*', { match: 'prefix' });
    trie.add(globstar, 1);
    trie.add(prefix, 1);
    trie.add(prefix, 1);
    assert.equal(trie.size, 3);
    assert.equal(trie.remove(globstar, 1), true);
    assert.equal(trie.remove(prefix, 1), true);
    assert.deepEqual(trie.match('sensor.x'), [1]);
    assert.equal(trie.remove(prefix, 1), true);
    assert.equal(trie.remove(prefix, 1), false);
    assert.deepEqual(trie.match('sensor.x'), []);
    assert.equal(trie.remove(parsePattern('never.added.*'), 1), false);
    assert.equal(trie.nodeCount, 1);
  });

  it('clear() empties it', () => {
    const trie = new TopicTrie<number>();
    trie.add(parsePattern('a.*.c'), 1);
    trie.add(parsePattern('**'), 2);
    assert.equal(trie.nodeCount, 4);
    trie.clear();
    assert.equal(trie.size, 0);
    assert.equal(trie.nodeCount, 1);
    assert.deepEqual(trie.match('a.b.c'), []);
  });
});
