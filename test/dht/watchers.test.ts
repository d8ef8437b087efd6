// Watchers: who read a key recently, bounded, so a change can be told to them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Watchers } from '../../src/dht/watchers.js';
import { VirtualClock } from '../../src/runtime/index.js';

describe('Watchers', () => {
  it('remembers readers for the window, most recent read wins', async () => {
    const clock = new VirtualClock();
    const w = new Watchers(clock, { windowMs: 1_000 });
    w.read('k1', 'a');
    await clock.advance(600);
    w.read('k1', 'b');
    assert.deepEqual(w.readersOf('k1').sort(), ['a', 'b']);
    await clock.advance(500); // a read 1,100 ms ago, b 500 ms ago
    assert.deepEqual(w.readersOf('k1'), ['b']);
    w.read('k1', 'a'); // read again: back in
    assert.deepEqual(w.readersOf('k1').sort(), ['a', 'b']);
    assert.deepEqual(w.readersOf('unknown'), []);
    await clock.advance(2_000);
    assert.deepEqual(w.readersOf('k1'), []);
  });

  it('is bounded in readers per key and in keys, forgetting the oldest', () => {
    const clock = new VirtualClock();
    const w = new Watchers(clock, { maxPerKey: 3, maxKeys: 2 });
    for (const r of ['a', 'b', 'c', 'd']) w.read('k1', r);
    assert.deepEqual(w.readersOf('k1'), ['b', 'c', 'd']);
    w.read('k2', 'x');
    w.read('k1', 'e'); // k1 most recent
    w.read('k3', 'y'); // evicts k2, the least recently read
    assert.deepEqual(w.readersOf('k2'), []);
    assert.deepEqual(w.readersOf('k1'), ['c', 'd', 'e']);
    assert.deepEqual(w.readersOf('k3'), ['y']);
  });
});
