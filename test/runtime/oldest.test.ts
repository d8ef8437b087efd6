import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropOldest } from '../../src/runtime/index.js';

describe('dropOldest', () => {
  it('keeps a Map at its bound by dropping the first-inserted entry (a re-insert counts as new)', () => {
    const m = new Map<string, number>();
    for (const k of ['a', 'b', 'c']) {
      m.set(k, 0);
      dropOldest(m, 2);
    }
    assert.deepEqual([...m.keys()], ['b', 'c']);
    m.delete('b');
    m.set('b', 1); // now the newest
    m.set('d', 0);
    dropOldest(m, 2);
    assert.deepEqual([...m.keys()], ['b', 'd']);
  });

  it('does the same for a Set, and nothing at or under the bound', () => {
    const s = new Set([1, 2, 3]);
    dropOldest(s, 3);
    assert.deepEqual([...s], [1, 2, 3]);
    s.add(4);
    dropOldest(s, 3);
    assert.deepEqual([...s], [2, 3, 4]);
  });
});
